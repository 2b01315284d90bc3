-- Issue 14: bookings. A booked lease is written with its slices at booking time; its
-- `granted_at` is its start and its slices hold `[start, start + duration)` (migration 0010).
-- The agent is not told about it until it starts (`booked → provisioning`, a short lead before
-- its start). It can be cancelled before then (`booked → ended`, reason `cancelled`).

ALTER TABLE leases
    -- When the lease was booked; NULL for a lease wanted at once. A booked lease's paid time
    -- runs from its start, not from its activation.
    ADD COLUMN booked_at timestamptz,
    ADD CONSTRAINT leases_booked_when_booked CHECK (state <> 'booked' OR booked_at IS NOT NULL);

INSERT INTO lease_transitions (from_state, to_state) VALUES
    ('booked', 'provisioning'),
    ('booked', 'ended');

-- The bookings to start, in start order.
CREATE INDEX leases_booked_start ON leases (granted_at) WHERE state = 'booked';
