-- Issue 16: webhooks. A tenant's (or, with tenant_id NULL, a fleet-wide) receiver of lease
-- events; an outbox of deliveries written by a trigger in the same transaction as the event
-- (so a crash or a dying replica never loses one, whichever code path inserted the event); and
-- the history of every attempt.
CREATE TABLE webhooks (
    id uuid PRIMARY KEY,
    -- NULL: fleet-wide (admins only), every tenant's events.
    tenant_id uuid REFERENCES tenants (id) ON DELETE CASCADE,
    url text NOT NULL,
    -- Webhook kinds (see webhook_kind below), checked against the list by the server.
    kinds text[] NOT NULL,
    format text NOT NULL DEFAULT 'json',
    enabled boolean NOT NULL DEFAULT true,
    -- The HMAC key; shown once on create and on rotate.
    secret text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhooks_url_bounded CHECK (length(url) BETWEEN 1 AND 2048),
    CONSTRAINT webhooks_kinds_bounded CHECK (cardinality(kinds) BETWEEN 1 AND 32),
    CONSTRAINT webhooks_format_known CHECK (format IN ('json', 'slack'))
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, id);

CREATE TYPE webhook_delivery_state AS ENUM ('pending', 'delivered', 'failed');

CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id bigint NOT NULL REFERENCES lease_events (id),
    -- Deliveries of one lease to one webhook go out in event order.
    lease_id uuid NOT NULL,
    -- The webhook kind the event maps to.
    kind text NOT NULL,
    state webhook_delivery_state NOT NULL DEFAULT 'pending',
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    -- A replica that claimed it delivers until then; after, another may (at least once).
    claimed_until timestamptz,
    claim uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    -- Retries stop (`failed`) once this is `webhook_retry_for` old; a redeliver resets it.
    window_start timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
-- What the delivery worker scans: due pending deliveries, and earlier ones of the same lease.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (webhook_id, lease_id, event_id)
    WHERE state = 'pending';
CREATE INDEX webhook_deliveries_history ON webhook_deliveries (webhook_id, created_at DESC, id);

CREATE TABLE webhook_attempts (
    id bigserial PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    -- NULL when no answer came (refused target, timeout, connection error).
    status_code integer,
    duration_ms integer NOT NULL,
    error text,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- The webhook kind of a lease event: a grant out of the pending queue is `queued_granted`,
-- every event that ends a lease is `ended` (its reason is in the lease and the event), every
-- other event keeps its own kind.
CREATE FUNCTION webhook_kind(kind lease_event_kind, from_state lease_state, to_state lease_state)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE
        WHEN kind = 'granted' AND from_state = 'pending' THEN 'queued_granted'
        WHEN to_state = 'ended' THEN 'ended'
        ELSE kind::text
    END
$$;

-- One delivery per matching enabled webhook for every lease event, in the inserting
-- transaction: statement-level, so a group commit's batch of events is one join.
CREATE FUNCTION lease_events_enqueue_webhooks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (id, webhook_id, event_id, lease_id, kind)
    SELECT gen_random_uuid(), w.id, e.id, e.lease_id, k.kind
    FROM new_events e
    JOIN leases l ON l.id = e.lease_id
    CROSS JOIN LATERAL (SELECT webhook_kind(e.kind, e.from_state, e.to_state) AS kind) k
    JOIN webhooks w ON w.enabled
        AND (w.tenant_id IS NULL OR w.tenant_id = l.tenant_id)
        AND k.kind = ANY (w.kinds)
    ORDER BY e.id;
    IF FOUND THEN
        PERFORM pg_notify('sb_webhooks', '');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER lease_events_webhooks AFTER INSERT ON lease_events
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION lease_events_enqueue_webhooks();
