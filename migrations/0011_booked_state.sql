-- Issue 14: the lease state `booked` (a lease whose window starts later, its placement pinned)
-- and its events. Values added to an enum cannot be used in the transaction that adds them, so
-- they come alone; 0012 uses them.
ALTER TYPE lease_state ADD VALUE IF NOT EXISTS 'booked' BEFORE 'pending';
ALTER TYPE lease_event_kind ADD VALUE IF NOT EXISTS 'booked';
ALTER TYPE lease_event_kind ADD VALUE IF NOT EXISTS 'starting';
ALTER TYPE lease_event_kind ADD VALUE IF NOT EXISTS 'rebooked';
ALTER TYPE lease_event_kind ADD VALUE IF NOT EXISTS 'at_risk';
