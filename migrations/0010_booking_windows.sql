-- Issue 14: every slice holds a time window as well as memory slices, and two live slices of
-- one GPU never overlap in both at once (DESIGN.md §2, invariant 1), so that a slice can be
-- booked ahead for a window that starts later.
--
-- A slice's window:
-- - a live lease (provisioning, active; later booked): `[granted, ends_at)`, moved with its
--   lease's end (activation, extension) by the trigger below;
-- - a slice being torn down (its lease releasing) or left on a lost host (its lease ended, the
--   slice not yet destroyed): open until the agent reports it destroyed, that is up to the
--   start of the next window on its memory slices (a booking made before the teardown began),
--   else without end. A teardown never fails for a booking, and nothing new is placed on those
--   memory slices meanwhile.
-- - a released slice: what it held; the constraint no longer looks at it.

CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE slices ADD COLUMN during tstzrange;

-- Existing rows move forward. Before this migration no two live slices overlapped in memory at
-- all, so any windows are consistent with each other; the open-ended ones cannot meet a booking
-- (there is none yet).
UPDATE slices s SET during = CASE
    WHEN s.released_at IS NOT NULL THEN
        tstzrange(s.created_at, greatest(s.released_at, s.created_at), '[]')
    WHEN l.state IN ('provisioning', 'active') AND l.ends_at > coalesce(l.granted_at, s.created_at)
        THEN tstzrange(coalesce(l.granted_at, s.created_at), l.ends_at)
    ELSE tstzrange(coalesce(l.granted_at, s.created_at), NULL)
    END
FROM leases l WHERE l.id = s.lease_id;

ALTER TABLE slices
    ALTER COLUMN during SET NOT NULL,
    ADD CONSTRAINT slices_window_nonempty CHECK (NOT isempty(during) AND NOT lower_inf(during)),
    DROP CONSTRAINT slices_no_overlap,
    ADD CONSTRAINT slices_no_overlap EXCLUDE USING gist (
        gpu_id WITH =,
        int4range(start, start + size) WITH &&,
        during WITH &&
    ) WHERE (released_at IS NULL);

-- The start of the next live window on any of the memory slices `[start, start + size)` of the
-- GPU at or after `after`, other than the slice `own`'s; infinity if there is none. A window
-- that begins at or after `after` on those memory slices cannot overlap the slice's own window
-- (the constraint), so it begins at or after that window's end: the slice's window may grow up
-- to it and no further.
CREATE FUNCTION slices_next_taken(gpu uuid, first integer, size integer, own uuid,
                                  after timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT coalesce(min(lower(o.during)), 'infinity')
    FROM slices o
    WHERE o.gpu_id = gpu AND o.released_at IS NULL AND o.id <> own
        AND int4range(o.start, o.start + o.size) && int4range(first, first + size)
        AND lower(o.during) >= after
$$;

-- The latest end a lease's live slices can have: the earliest next window on any of them.
CREATE FUNCTION leases_extendable_until(lease uuid) RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT coalesce(min(slices_next_taken(s.gpu_id, s.start, s.size, s.id, lower(s.during))),
                    'infinity')
    FROM slices s WHERE s.lease_id = lease AND s.released_at IS NULL
$$;

-- A lease's end or state moved: its live slices' windows follow. Live: up to the lease's end.
-- Being torn down or left on a lost host: open up to the next window on those memory slices.
CREATE FUNCTION leases_move_windows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE slices s SET during = tstzrange(lower(s.during),
        CASE WHEN NEW.state NOT IN ('releasing', 'ended') AND NEW.ends_at > lower(s.during)
            THEN NEW.ends_at
            ELSE nullif(slices_next_taken(s.gpu_id, s.start, s.size, s.id, lower(s.during)),
                        'infinity')
        END)
    WHERE s.lease_id = NEW.id AND s.released_at IS NULL;
    RETURN NULL;
END;
$$;
CREATE TRIGGER leases_windows AFTER UPDATE OF state, ends_at ON leases
    FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state OR NEW.ends_at IS DISTINCT FROM OLD.ends_at)
    EXECUTE FUNCTION leases_move_windows();

CREATE INDEX slices_live_window ON slices USING gist (gpu_id, during) WHERE released_at IS NULL;
