-- The lease lifecycle over time (issue 5): host liveness, pending-queue order, and a wake-up
-- channel for capacity freed by releases.

ALTER TABLE hosts
    -- Set when the host's agent stopped reporting; its GPUs are not placed on meanwhile.
    ADD COLUMN unreachable_since timestamptz;

ALTER TABLE leases
    -- Pending leases are served by priority (higher first), then age.
    ADD COLUMN priority integer NOT NULL DEFAULT 0,
    -- The GPU models the request allowed (catalog keys; empty = any), to place it later.
    ADD COLUMN gpu_models text[] NOT NULL DEFAULT '{}',
    ADD CONSTRAINT leases_priority_range CHECK (priority BETWEEN -100 AND 100);

CREATE INDEX leases_pending_queue ON leases (priority DESC, created_at, id)
    WHERE state = 'pending';
CREATE INDEX leases_active_ends_at ON leases (ends_at) WHERE state IN ('provisioning', 'active');
CREATE INDEX hosts_last_seen ON hosts (last_seen_at) WHERE agent_enrolled_at IS NOT NULL;

-- Capacity came back (a slice released): wake the pending-queue job on every replica.
CREATE FUNCTION slices_notify_released() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sb_capacity', NEW.gpu_id::text);
    RETURN NEW;
END;
$$;
CREATE TRIGGER slices_released AFTER UPDATE OF released_at ON slices
    FOR EACH ROW WHEN (OLD.released_at IS NULL AND NEW.released_at IS NOT NULL)
    EXECUTE FUNCTION slices_notify_released();

-- A lease ended (its quota is free again even if its slices are not yet): same wake-up.
CREATE FUNCTION leases_notify_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sb_capacity', NEW.tenant_id::text);
    RETURN NEW;
END;
$$;
CREATE TRIGGER leases_ended AFTER UPDATE OF state ON leases
    FOR EACH ROW WHEN (NEW.state = 'ended' AND OLD.state <> 'ended')
    EXECUTE FUNCTION leases_notify_ended();
