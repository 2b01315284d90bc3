-- Defects found by black-box testing (issue 11): every number a client can send has a bound,
-- an Idempotency-Key is claimed before its request is decided, and one-shot lifecycle warnings
-- are claimed once per lease whichever replica runs the job.

-- Bounds (slicebroker_types::limits). Rows written before them are brought inside first, so
-- that no lifecycle job meets a value it cannot compute with: quotas at most 10,000,000,
-- durations at most 366 days, budgets at most 1,000,000,000 compute-slice-hours.
UPDATE tenants SET
    max_live_compute_slices = least(max_live_compute_slices, 10000000),
    max_live_memory_gib = least(max_live_memory_gib, 10000000),
    max_live_leases = least(max_live_leases, 10000000),
    max_lease_seconds = least(max_lease_seconds, 31622400),
    max_total_extension_seconds = least(max_total_extension_seconds, 31622400),
    default_idle_timeout_seconds = least(default_idle_timeout_seconds, 31622400),
    monthly_budget_slice_hours = least(monthly_budget_slice_hours, 1000000000),
    display_name = CASE WHEN btrim(display_name) = '' THEN name ELSE left(display_name, 200) END;
ALTER TABLE tenants
    ADD CONSTRAINT tenants_quotas_bounded CHECK (
        max_live_compute_slices <= 10000000 AND max_live_memory_gib <= 10000000
        AND max_live_leases <= 10000000),
    ADD CONSTRAINT tenants_durations_bounded CHECK (
        max_lease_seconds <= 31622400 AND max_total_extension_seconds <= 31622400
        AND default_idle_timeout_seconds <= 31622400),
    ADD CONSTRAINT tenants_budget_bounded CHECK (monthly_budget_slice_hours <= 1000000000),
    ADD CONSTRAINT tenants_display_name_bounded CHECK (length(display_name) BETWEEN 1 AND 200);

UPDATE leases SET
    duration_seconds = least(duration_seconds, 31622400),
    idle_timeout_seconds = least(idle_timeout_seconds, 31622400),
    extended_seconds = least(extended_seconds, 31622400)
WHERE duration_seconds > 31622400 OR idle_timeout_seconds > 31622400
    OR extended_seconds > 31622400;
-- A live lease's end is at most its longest duration plus its longest extension ahead.
UPDATE leases SET ends_at = now() + interval '732 days'
WHERE state <> 'ended' AND ends_at > now() + interval '732 days';
ALTER TABLE leases
    ADD CONSTRAINT leases_durations_bounded CHECK (
        duration_seconds <= 31622400 AND idle_timeout_seconds <= 31622400
        AND extended_seconds <= 31622400);

-- An Idempotency-Key is claimed before its request is decided, in a transaction of its own, so
-- that a concurrent or later request with the same key (on any replica) waits for the first
-- one's outcome instead of deciding again. The claim goes when the lease is written (in the
-- same transaction) or when the request is refused; a claim whose holder died is taken over
-- once it is older than the stale age the server is configured with.
-- No foreign key to tenants: a claim must not wait for the tenant's row lock, which granting
-- transactions hold.
CREATE TABLE idempotency_claims (
    tenant_id uuid NOT NULL,
    key text NOT NULL,
    -- SHA-256 of the request as decided (shape, duration, count, labels, …), hex.
    fingerprint text NOT NULL,
    -- The claiming request's own token: only it may consume or drop the claim.
    token uuid NOT NULL,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);

-- The fingerprint of the request that made a lease with an Idempotency-Key: a retry with the
-- same key and another request is refused (NULL on leases made before this migration, which
-- are compared by shape and count).
ALTER TABLE leases ADD COLUMN idempotency_fingerprint text;

-- One-shot warnings, claimed by a guarded UPDATE so that two replicas running the same job
-- write one event: the end an `expiring` event was written for, and when the last
-- `idle_warning` was written (a new idle period starts after it).
ALTER TABLE leases
    ADD COLUMN expiry_warned_for timestamptz,
    ADD COLUMN idle_warned_at timestamptz;
UPDATE leases l SET expiry_warned_for = l.ends_at
WHERE l.state <> 'ended' AND EXISTS (
    SELECT 1 FROM lease_events e WHERE e.lease_id = l.id AND e.kind = 'expiring'
        AND (e.detail->>'ends_at')::timestamptz = l.ends_at);
UPDATE leases l SET idle_warned_at = w.at
FROM (SELECT lease_id, max(at) AS at FROM lease_events WHERE kind = 'idle_warning'
      GROUP BY lease_id) w
WHERE w.lease_id = l.id AND l.state <> 'ended';
