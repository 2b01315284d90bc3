-- What a host's agent last said (its heartbeat and the newest generation it applied) moves out
-- of `hosts` into a row of its own. Every grant and release locks the `hosts` row of each host
-- whose slices it changes (to move its generation); an agent polls and reports every few
-- seconds. Kept on one row, a busy host's reports queued behind its grants and its grants
-- behind its reports. Apart, a report locks its host's heartbeat and the leases it moves, and
-- nothing a grant needs.
CREATE TABLE host_heartbeats (
    host_id uuid PRIMARY KEY REFERENCES hosts (id),
    -- The newest generation the agent said it applied; older reports are ignored.
    observed_generation bigint NOT NULL DEFAULT 0,
    last_report_at timestamptz,
    -- Any word from the agent: a registration, a poll, a report.
    last_seen_at timestamptz,
    CONSTRAINT host_heartbeats_observed_generation_nonnegative CHECK (observed_generation >= 0)
);
INSERT INTO host_heartbeats (host_id, observed_generation, last_report_at, last_seen_at)
    SELECT id, observed_generation, last_report_at, last_seen_at FROM hosts;
CREATE INDEX host_heartbeats_last_seen ON host_heartbeats (last_seen_at);
ALTER TABLE hosts
    DROP COLUMN observed_generation,
    DROP COLUMN last_report_at,
    DROP COLUMN last_seen_at;
