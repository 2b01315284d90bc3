-- Issue 16, the rest of the metrics: lease transitions by (from, to, kind) for /metrics, and
-- one definition of what a slice costs a month's budget for both the budget check and
-- /metrics.

-- Every lease state transition, counted in the transaction that writes its lease_events row,
-- whichever statement writes it (Rust's insert_events, the group commit's one statement, the
-- lifecycle statements). A statement-level trigger appends one row per (from, to, kind) that
-- the statement wrote, never updating a shared row: concurrent writers take no lock on each
-- other, and a group commit's batch stays one statement plus one small insert. The lifecycle
-- task folds the rows into lease_transition_totals every 10 s
-- (store::metrics::fold_transitions), one replica at a time; /metrics reads the totals plus
-- what is not folded yet. Rolled-back transactions leave no row, so each committed transition
-- counts exactly once, fleet-wide.
CREATE TABLE lease_transition_deltas (
    from_state text NOT NULL,  -- 'none' for a lease's first event
    to_state text NOT NULL,
    kind text NOT NULL,
    n bigint NOT NULL
);

CREATE TABLE lease_transition_totals (
    from_state text NOT NULL,
    to_state text NOT NULL,
    kind text NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (from_state, to_state, kind)
);

CREATE FUNCTION lease_events_count_transitions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO lease_transition_deltas (from_state, to_state, kind, n)
    SELECT coalesce(e.from_state::text, 'none'), e.to_state::text, e.kind::text, count(*)
    FROM new_events e
    WHERE e.to_state IS NOT NULL
    GROUP BY 1, 2, 3;
    RETURN NULL;
END
$$;

CREATE TRIGGER lease_events_transitions AFTER INSERT ON lease_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION lease_events_count_transitions();

-- Transitions written before this migration, so that the counters start from the history.
INSERT INTO lease_transition_totals (from_state, to_state, kind, n)
SELECT coalesce(from_state::text, 'none'), to_state::text, kind::text, count(*)
FROM lease_events WHERE to_state IS NOT NULL
GROUP BY 1, 2, 3;

-- The compute-slice-seconds a slice takes out of the month [lo, hi): the time it is held from
-- its created_at (the start of its window: a booking's start, a rebooked slice's booking
-- start) until released, or while live until its lease's committed end (or now, if later),
-- and never past its lease's end. 0 when it does not overlap. The budget check
-- (store::usage::committed_compute_seconds) and /metrics (store::metrics::tenants) both sum
-- it; a plain SQL function, so the planner inlines it into either query.
CREATE FUNCTION slice_budget_seconds(
    compute_slices integer, created_at timestamptz, released_at timestamptz,
    lease_ends_at timestamptz, lease_ended_at timestamptz, lo timestamptz, hi timestamptz
) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT compute_slices * greatest(0, extract(epoch FROM
        least(coalesce(released_at, greatest(lease_ends_at, now())),
              coalesce(lease_ended_at, 'infinity'), hi)
        - greatest(created_at, lo)))
$$;
