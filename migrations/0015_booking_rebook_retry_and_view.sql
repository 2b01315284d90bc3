-- Issue 14, bookings rest:
-- * A booking's slices left behind by a rebook are kept (usage, audit) but are no longer part of
--   the lease's placement: the lease view shows only its current slices, the `rebooked` events
--   tell the history.
-- * An at-risk booking is retried with a bounded backoff (`rebook_next_at`, never later than the
--   booking's start), not every lifecycle pass; an uncordon clears it. Kept in the row so that
--   every replica sees the same schedule.
ALTER TABLE slices ADD COLUMN rebooked boolean NOT NULL DEFAULT false;
ALTER TABLE leases ADD COLUMN rebook_tries integer NOT NULL DEFAULT 0,
    ADD COLUMN rebook_next_at timestamptz;
