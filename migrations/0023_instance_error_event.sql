-- Issue 18, instance health: the lease event `instance_error`, a fatal XID that hit one of the
-- lease's GPU instances. It does not move the lease (from_state and to_state stay NULL), and
-- webhook_kind() (0017) maps it to the webhook kind of the same name. A value added to an enum
-- cannot be used in the transaction that adds it (sqlx runs each migration in one), so it
-- comes alone, as in 0011.
ALTER TYPE lease_event_kind ADD VALUE IF NOT EXISTS 'instance_error';
