-- Issue 16, chargeback: cost rates, and the time each lease held a slice its agent saw idle.

-- What a slice-hour costs. With a profile: one slice-hour of that profile; without: one
-- compute-slice-hour of any profile that has no rate of its own. A NULL model applies to every
-- model without a rate of its own. The most specific rate wins (model and profile, then
-- profile on any model, then the model's compute-slice rate, then the fleet's). Replaced as a
-- whole by an admin (`PUT /v1/rates`), audited.
CREATE TABLE cost_rates (
    model text,
    profile text,
    per_hour double precision NOT NULL,
    CONSTRAINT cost_rates_one_per_key UNIQUE NULLS NOT DISTINCT (model, profile),
    CONSTRAINT cost_rates_bounded CHECK (per_hour >= 0 AND per_hour <= 1000000)
);

-- The intervals during which a lease held a slice while its agent reported it idle, from
-- report times: a report that sees the slice idle opens one (if none is open), a busy one
-- closes it, and the slice's release or its lease's end (a lost host) closes it at that time.
-- One write per change of state, none per report that changes nothing.
CREATE TABLE slice_idle_periods (
    slice_id uuid NOT NULL REFERENCES slices (id),
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    PRIMARY KEY (slice_id, started_at),
    CONSTRAINT slice_idle_periods_ordered CHECK (ended_at >= started_at)
);
-- At most one open period per slice; reports look it up.
CREATE UNIQUE INDEX slice_idle_periods_open ON slice_idle_periods (slice_id)
    WHERE ended_at IS NULL;

CREATE OR REPLACE FUNCTION slice_idle_close_on_release() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE slice_idle_periods SET ended_at = greatest(started_at, NEW.released_at)
    WHERE slice_id = NEW.id AND ended_at IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER slices_released_close_idle AFTER UPDATE OF released_at ON slices
    FOR EACH ROW WHEN (OLD.released_at IS NULL AND NEW.released_at IS NOT NULL)
    EXECUTE FUNCTION slice_idle_close_on_release();

CREATE OR REPLACE FUNCTION slice_idle_close_on_lease_end() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE slice_idle_periods p SET ended_at = greatest(p.started_at, NEW.ended_at)
    FROM slices s
    WHERE s.lease_id = NEW.id AND p.slice_id = s.id AND p.ended_at IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER leases_ended_close_idle AFTER UPDATE OF ended_at ON leases
    FOR EACH ROW WHEN (OLD.ended_at IS NULL AND NEW.ended_at IS NOT NULL)
    EXECUTE FUNCTION slice_idle_close_on_lease_end();
