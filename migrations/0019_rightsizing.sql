-- Issue 18, right-sizing: what each lease really used.

-- The most memory the agent reported in use on the slice (MiB) while it existed. Kept by the
-- statement that records the agent's observations (`greatest(...)`), so reports stay one
-- statement and no row is written per report; NULL until a report carried a memory figure.
ALTER TABLE slices ADD COLUMN peak_memory_mib bigint;

-- A lease's own usage summary, exact over its active interval: from activation until it ended
-- (or now), each slice until its release if that came first. `held_seconds` sums that time over
-- the lease's slices; `idle_held_seconds` the part inside its slices' idle periods
-- (`slice_idle_periods`, from report times); the rest counts as busy. `profile_memory_mib` is
-- the profile's nominal memory (the figure in its name, GiB × 1024); `peak_memory_mib` the
-- highest of its slices' peaks. Used by the `ended` event and the lease view; the right-sizing
-- report reads the same figures (`store::rightsizing`).
CREATE OR REPLACE FUNCTION lease_usage_summary(p_lease uuid) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    WITH span AS (
        SELECT s.id, s.peak_memory_mib, s.memory_gib::bigint * 1024 AS profile_memory_mib,
               l.activated_at AS lo,
               least(coalesce(s.released_at, now()), coalesce(l.ended_at, now())) AS hi
        FROM leases l JOIN slices s ON s.lease_id = l.id AND NOT s.rebooked
        WHERE l.id = p_lease
    ), held AS (
        SELECT sp.*, greatest(0, extract(epoch FROM sp.hi - sp.lo))::float8 AS held,
               coalesce((SELECT sum(greatest(0, extract(epoch FROM
                                    least(sp.hi, coalesce(i.ended_at, now()))
                                    - greatest(sp.lo, i.started_at))))
                         FROM slice_idle_periods i
                         WHERE i.slice_id = sp.id AND i.started_at < sp.hi
                           AND coalesce(i.ended_at, 'infinity') > sp.lo), 0)::float8 AS idle
        FROM span sp WHERE sp.lo IS NOT NULL
    ), t AS (
        SELECT max(peak_memory_mib) AS peak, max(profile_memory_mib) AS profile_memory,
               coalesce(sum(held), 0) AS held, coalesce(sum(idle), 0) AS idle
        FROM held
    )
    SELECT jsonb_build_object(
        'peak_memory_mib', t.peak,
        'profile_memory_mib', coalesce(t.profile_memory,
            (SELECT max(memory_gib)::bigint * 1024 FROM slices WHERE lease_id = p_lease)),
        'held_seconds', t.held,
        'idle_held_seconds', t.idle,
        'idle_held_hours', t.idle / 3600,
        'busy_share', CASE WHEN t.held > 0 THEN (t.held - t.idle) / t.held END,
        'idle_share', CASE WHEN t.held > 0 THEN t.idle / t.held END)
    FROM t
$$;

-- Every `ended` event carries its lease's summary under `usage`, whichever path ended it (a
-- report that saw the slices gone, a host without agent, a lost host), so owners learn
-- without asking. The event is written in the statement or transaction that ends the lease:
-- the summary's open intervals end at `now()`, the transaction's time, which is the lease's
-- `ended_at` and the idle periods' close.
CREATE OR REPLACE FUNCTION lease_events_ended_usage() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.detail = coalesce(NEW.detail, '{}'::jsonb)
        || jsonb_build_object('usage', lease_usage_summary(NEW.lease_id));
    RETURN NEW;
END $$;
CREATE TRIGGER lease_events_ended_usage BEFORE INSERT ON lease_events
    FOR EACH ROW WHEN (NEW.kind = 'ended')
    EXECUTE FUNCTION lease_events_ended_usage();
