-- slicebroker's initial schema: tenants, API keys, signing keys, hosts, GPUs, leases, slices,
-- lease events and the audit log. Forward-only: never edit once landed, add 0002_… instead.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TYPE api_role AS ENUM ('admin', 'tenant-admin', 'member', 'viewer');
CREATE TYPE lease_state AS ENUM ('pending', 'provisioning', 'active', 'releasing', 'ended');
CREATE TYPE lease_end_reason AS ENUM (
    'released', 'expired', 'reclaimed_idle', 'revoked', 'failed', 'cancelled', 'host_lost'
);

-- Keeps updated_at honest without every UPDATE having to remember it.
CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    display_name text NOT NULL,
    -- Policy. NULL = unlimited.
    max_live_compute_slices integer,
    max_live_memory_gib integer,
    max_live_leases integer,
    max_lease_seconds bigint NOT NULL DEFAULT 604800,
    max_total_extension_seconds bigint NOT NULL DEFAULT 604800,
    default_idle_timeout_seconds bigint NOT NULL DEFAULT 7200,
    -- Catalog keys; empty = every model.
    allowed_gpu_models text[] NOT NULL DEFAULT '{}',
    monthly_budget_slice_hours bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_name_unique UNIQUE (name),
    CONSTRAINT tenants_name_format CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    CONSTRAINT tenants_max_live_compute_slices_nonnegative CHECK (max_live_compute_slices >= 0),
    CONSTRAINT tenants_max_live_memory_gib_nonnegative CHECK (max_live_memory_gib >= 0),
    CONSTRAINT tenants_max_live_leases_nonnegative CHECK (max_live_leases >= 0),
    CONSTRAINT tenants_max_lease_seconds_positive CHECK (max_lease_seconds > 0),
    CONSTRAINT tenants_max_total_extension_seconds_nonnegative
        CHECK (max_total_extension_seconds >= 0),
    CONSTRAINT tenants_default_idle_timeout_seconds_positive
        CHECK (default_idle_timeout_seconds > 0),
    CONSTRAINT tenants_monthly_budget_slice_hours_nonnegative
        CHECK (monthly_budget_slice_hours >= 0)
);
CREATE TRIGGER tenants_touch BEFORE UPDATE ON tenants
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    -- NULL only for fleet admins, who belong to no tenant.
    tenant_id uuid REFERENCES tenants (id),
    role api_role NOT NULL,
    name text NOT NULL,
    -- SHA-256 of the whole key; the key itself is shown once and never stored.
    key_hash bytea NOT NULL,
    -- The first characters of the key, so a human can tell keys apart.
    key_prefix text NOT NULL,
    created_by uuid REFERENCES api_keys (id),
    revoked_at timestamptz,
    last_used_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT api_keys_hash_unique UNIQUE (key_hash),
    CONSTRAINT api_keys_hash_length CHECK (octet_length(key_hash) = 32),
    CONSTRAINT api_keys_admin_has_no_tenant CHECK ((role = 'admin') = (tenant_id IS NULL)),
    CONSTRAINT api_keys_name_nonempty CHECK (length(name) BETWEEN 1 AND 200)
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
CREATE TRIGGER api_keys_touch BEFORE UPDATE ON api_keys
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The server's own JWT signing keys (used when none is configured). Private keys are PKCS#8 DER.
CREATE TABLE signing_keys (
    kid text PRIMARY KEY,
    alg text NOT NULL,
    private_der bytea NOT NULL,
    retired_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT signing_keys_alg_known CHECK (alg IN ('EdDSA'))
);

CREATE TABLE hosts (
    id uuid PRIMARY KEY,
    name text NOT NULL,
    schedulable boolean NOT NULL DEFAULT true,
    -- Bumped with every change to the host's slices (DESIGN.md §2, invariant 4).
    desired_generation bigint NOT NULL DEFAULT 1,
    -- Set when an agent enrolls; a host without one has nothing to tear down on release.
    agent_enrolled_at timestamptz,
    last_seen_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT hosts_name_unique UNIQUE (name),
    CONSTRAINT hosts_name_nonempty CHECK (length(name) BETWEEN 1 AND 253),
    CONSTRAINT hosts_desired_generation_positive CHECK (desired_generation > 0)
);
CREATE TRIGGER hosts_touch BEFORE UPDATE ON hosts
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE gpus (
    id uuid PRIMARY KEY,
    host_id uuid NOT NULL REFERENCES hosts (id),
    -- NVML's GPU UUID (`GPU-…`).
    uuid text NOT NULL,
    -- Index on the host as NVML numbers it.
    device_index integer NOT NULL,
    -- Catalog key (`h100-80gb`).
    model text NOT NULL,
    schedulable boolean NOT NULL DEFAULT true,
    mig_enabled boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gpus_uuid_unique UNIQUE (uuid),
    CONSTRAINT gpus_host_index_unique UNIQUE (host_id, device_index),
    CONSTRAINT gpus_device_index_nonnegative CHECK (device_index >= 0),
    CONSTRAINT gpus_model_nonempty CHECK (length(model) > 0)
);
CREATE TRIGGER gpus_touch BEFORE UPDATE ON gpus
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE leases (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id),
    state lease_state NOT NULL,
    end_reason lease_end_reason,
    -- What was asked for, as the client said it (`2g.20gb`, `3g`, `>=20GiB/>=1g`).
    request text NOT NULL,
    slice_count integer NOT NULL,
    duration_seconds bigint NOT NULL,
    idle_timeout_seconds bigint NOT NULL,
    extended_seconds bigint NOT NULL DEFAULT 0,
    extensions integer NOT NULL DEFAULT 0,
    labels jsonb NOT NULL DEFAULT '{}',
    idempotency_key text,
    created_by uuid REFERENCES api_keys (id),
    granted_at timestamptz,
    activated_at timestamptz,
    ends_at timestamptz,
    ended_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT leases_end_reason_iff_ended CHECK ((state = 'ended') = (end_reason IS NOT NULL)),
    CONSTRAINT leases_ended_at_iff_ended CHECK ((state = 'ended') = (ended_at IS NOT NULL)),
    CONSTRAINT leases_slice_count_positive CHECK (slice_count BETWEEN 1 AND 64),
    CONSTRAINT leases_duration_positive CHECK (duration_seconds > 0),
    CONSTRAINT leases_idle_timeout_positive CHECK (idle_timeout_seconds > 0),
    CONSTRAINT leases_extended_nonnegative CHECK (extended_seconds >= 0 AND extensions >= 0),
    CONSTRAINT leases_labels_object CHECK (jsonb_typeof(labels) = 'object'),
    CONSTRAINT leases_granted_unless_pending CHECK ((state = 'pending') OR granted_at IS NOT NULL
        OR state = 'ended')
);
CREATE UNIQUE INDEX leases_idempotency_key_unique ON leases (tenant_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX leases_tenant_state ON leases (tenant_id, state, id);
CREATE INDEX leases_live_ends_at ON leases (ends_at) WHERE state <> 'ended';
CREATE INDEX leases_labels ON leases USING gin (labels);
CREATE TRIGGER leases_touch BEFORE UPDATE ON leases
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The legal lease transitions. The Rust state machine (`domain::lease`) holds the same table; a
-- test checks that they agree, and the trigger below refuses any other transition.
CREATE TABLE lease_transitions (
    from_state lease_state NOT NULL,
    to_state lease_state NOT NULL,
    PRIMARY KEY (from_state, to_state)
);
INSERT INTO lease_transitions (from_state, to_state) VALUES
    ('pending', 'provisioning'),
    ('pending', 'ended'),
    ('provisioning', 'active'),
    ('provisioning', 'releasing'),
    ('provisioning', 'ended'),
    ('active', 'releasing'),
    ('active', 'ended'),
    ('releasing', 'ended');

CREATE FUNCTION leases_check_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state IS DISTINCT FROM OLD.state AND NOT EXISTS (
        SELECT 1 FROM lease_transitions WHERE from_state = OLD.state AND to_state = NEW.state
    ) THEN
        RAISE EXCEPTION 'illegal lease transition % -> %', OLD.state, NEW.state
            USING ERRCODE = 'check_violation', CONSTRAINT = 'leases_legal_transition';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER leases_legal_transition BEFORE UPDATE OF state ON leases
    FOR EACH ROW EXECUTE FUNCTION leases_check_transition();

CREATE TABLE slices (
    id uuid PRIMARY KEY,
    lease_id uuid NOT NULL REFERENCES leases (id),
    gpu_id uuid NOT NULL REFERENCES gpus (id),
    -- Profile name on the GPU's model (`2g.20gb`).
    profile text NOT NULL,
    -- Placement in memory slices.
    start integer NOT NULL,
    size integer NOT NULL,
    compute_slices integer NOT NULL,
    memory_gib integer NOT NULL,
    -- What the agent reports once the instance exists.
    mig_device_uuid text,
    released_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT slices_placement_valid CHECK (start >= 0 AND size > 0 AND start + size <= 16),
    CONSTRAINT slices_compute_positive CHECK (compute_slices > 0),
    CONSTRAINT slices_memory_nonnegative CHECK (memory_gib >= 0),
    -- DESIGN.md §2, invariant 1: live slices on one GPU never overlap.
    CONSTRAINT slices_no_overlap EXCLUDE USING gist (
        gpu_id WITH =,
        int4range(start, start + size) WITH &&
    ) WHERE (released_at IS NULL)
);
CREATE INDEX slices_lease ON slices (lease_id);
CREATE INDEX slices_live_gpu ON slices (gpu_id) WHERE released_at IS NULL;
CREATE TRIGGER slices_touch BEFORE UPDATE ON slices
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE lease_events (
    id bigserial PRIMARY KEY,
    lease_id uuid NOT NULL REFERENCES leases (id),
    kind text NOT NULL,
    from_state lease_state,
    to_state lease_state,
    detail jsonb NOT NULL DEFAULT '{}',
    -- The API key (or `system`) that caused it.
    actor text NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT lease_events_kind_nonempty CHECK (length(kind) > 0)
);
CREATE INDEX lease_events_lease ON lease_events (lease_id, id);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    actor_key_id uuid REFERENCES api_keys (id),
    actor text NOT NULL,
    action text NOT NULL,
    target_kind text NOT NULL,
    target_id text NOT NULL,
    before jsonb,
    after jsonb,
    at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_target ON audit_log (target_kind, target_id, id);
