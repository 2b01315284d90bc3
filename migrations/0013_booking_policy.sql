-- Issue 14: tenant policy for bookings (slicebroker_types::limits bounds them): how far ahead
-- a booking may start (default and at most 30 days), how many bookings not yet started the
-- tenant may hold (NULL: unlimited), and the longest booking (NULL: `max_lease_seconds`).
ALTER TABLE tenants
    ADD COLUMN max_booking_ahead_seconds bigint NOT NULL DEFAULT 2592000,
    ADD COLUMN max_bookings integer,
    ADD COLUMN max_booking_seconds bigint,
    ADD CONSTRAINT tenants_booking_policy_bounded CHECK (
        max_booking_ahead_seconds BETWEEN 0 AND 2592000
        AND max_bookings BETWEEN 0 AND 10000000
        AND max_booking_seconds BETWEEN 1 AND 31622400);

-- Bookings not yet started, per tenant (the `max_bookings` check under the tenant's lock).
CREATE INDEX leases_tenant_booked ON leases (tenant_id) WHERE state = 'booked';
