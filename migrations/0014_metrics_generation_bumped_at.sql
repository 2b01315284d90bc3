-- Issue 16, metrics: when each host's desired generation last moved, so that the time from a
-- bump to the agent's report acknowledging it (the reconcile latency) and how long a host has
-- been behind (a stuck reconcile) can be measured; and an index so that this month's budget
-- use per tenant reads only the slices released this month, not the whole history.

ALTER TABLE hosts ADD COLUMN desired_changed_at timestamptz;

CREATE INDEX slices_released_at ON slices (released_at) WHERE released_at IS NOT NULL;
