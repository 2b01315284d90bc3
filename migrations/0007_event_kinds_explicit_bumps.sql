-- Issue 12. Lease event kinds become an enum, like lease states and end reasons, so the
-- database refuses a misspelt kind and the server decodes it as a Rust enum.
CREATE TYPE lease_event_kind AS ENUM (
    'granted', 'queued', 'activated', 'extended', 'released', 'revoked', 'expiring', 'expired',
    'idle_warning', 'reclaimed_idle', 'failed', 'cancelled', 'host_lost', 'ended',
    'teardown_error'
);
ALTER TABLE lease_events DROP CONSTRAINT lease_events_kind_nonempty;
ALTER TABLE lease_events ALTER COLUMN kind TYPE lease_event_kind USING kind::lease_event_kind;

-- One explicit way to move a host's desired generation (DESIGN.md §2, invariant 4): the code
-- that changes a host's slices calls `store::fleet::bump_generations` in the same transaction,
-- as its last statement before commit, locking the hosts in id order. The deferred triggers of
-- migration 0004 and the `slicebroker.bumped_hosts` flag of 0005 that told them to stand aside
-- go.
DROP TRIGGER slices_placed_bump ON slices;
DROP TRIGGER slices_released_bump ON slices;
DROP FUNCTION slices_bump_desired_generation();
