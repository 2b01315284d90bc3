-- The agent protocol (DESIGN.md §7): enrollment tokens, host-scoped agent credentials, what
-- agents report about hosts, GPUs and slices, instances made by hand, and the wake-up channel
-- for desired-config long-polls.

-- One-time tokens an admin hands to a new host. Stored as hashes, like API keys.
CREATE TABLE enrollment_tokens (
    id uuid PRIMARY KEY,
    token_hash bytea NOT NULL,
    token_prefix text NOT NULL,
    -- What the admin wrote down about it (`rack 12, node 3`).
    note text NOT NULL DEFAULT '',
    created_by uuid REFERENCES api_keys (id),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    used_by_host uuid REFERENCES hosts (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT enrollment_tokens_hash_unique UNIQUE (token_hash),
    CONSTRAINT enrollment_tokens_hash_length CHECK (octet_length(token_hash) = 32),
    CONSTRAINT enrollment_tokens_used_together CHECK ((used_at IS NULL) = (used_by_host IS NULL)),
    CONSTRAINT enrollment_tokens_note_length CHECK (length(note) <= 200)
);

ALTER TABLE hosts
    -- SHA-256 of the host's agent credential; replaced when the host enrolls again.
    ADD COLUMN agent_credential_hash bytea,
    ADD COLUMN agent_version text,
    ADD COLUMN driver_version text,
    -- The newest generation an agent said it applied; older reports are ignored.
    ADD COLUMN observed_generation bigint NOT NULL DEFAULT 0,
    ADD COLUMN last_report_at timestamptz,
    ADD CONSTRAINT hosts_agent_credential_hash_unique UNIQUE (agent_credential_hash),
    ADD CONSTRAINT hosts_agent_credential_hash_length
        CHECK (agent_credential_hash IS NULL OR octet_length(agent_credential_hash) = 32),
    ADD CONSTRAINT hosts_observed_generation_nonnegative CHECK (observed_generation >= 0);

ALTER TABLE gpus
    ADD COLUMN name text NOT NULL DEFAULT '',
    ADD COLUMN memory_mib bigint,
    ADD COLUMN mig_pending boolean,
    -- The profile table the GPU itself reports (it wins over the catalog) and how it differs.
    ADD COLUMN profile_table jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN catalog_differences jsonb NOT NULL DEFAULT '[]',
    -- A GPU is placed on only when its geometry matches the catalog (placements, counts).
    ADD COLUMN geometry_matches_catalog boolean NOT NULL DEFAULT true,
    ADD COLUMN memory_used_mib bigint,
    ADD CONSTRAINT gpus_profile_table_array CHECK (jsonb_typeof(profile_table) = 'array'),
    ADD CONSTRAINT gpus_catalog_differences_array
        CHECK (jsonb_typeof(catalog_differences) = 'array');

ALTER TABLE slices
    ADD COLUMN gpu_instance_id integer,
    ADD COLUMN compute_instance_id integer,
    -- The host generation in which the slice stopped being desired: a report that applied it
    -- and no longer shows the instance means it is gone.
    ADD COLUMN teardown_generation bigint,
    -- What the agent last saw on it (idle detection reads these).
    ADD COLUMN processes jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN memory_used_mib bigint,
    ADD COLUMN activity double precision,
    ADD COLUMN observed_at timestamptz,
    ADD COLUMN last_active_at timestamptz,
    ADD CONSTRAINT slices_processes_array CHECK (jsonb_typeof(processes) = 'array');

-- Set when a lease enters `releasing`: the reason it will end with once the agent confirms.
ALTER TABLE leases ADD COLUMN release_reason lease_end_reason;

-- Instances on a GPU that the broker did not make (by hand, or before the agent came). The
-- planner counts their memory slices as taken; nothing ever destroys them.
CREATE TABLE unmanaged_instances (
    gpu_id uuid NOT NULL REFERENCES gpus (id),
    gpu_instance_id integer NOT NULL,
    profile text NOT NULL,
    start integer NOT NULL,
    size integer NOT NULL,
    mig_device_uuid text,
    processes jsonb NOT NULL DEFAULT '[]',
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (gpu_id, gpu_instance_id),
    CONSTRAINT unmanaged_instances_placement_valid
        CHECK (start >= 0 AND size > 0 AND start + size <= 16)
);

-- Every change of a host's desired generation wakes the agent's long-poll on whichever server
-- replica holds it. NOTIFY is delivered at commit, so a woken poll reads the committed change.
CREATE FUNCTION hosts_notify_desired() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('sb_desired', NEW.id::text);
    RETURN NEW;
END;
$$;
CREATE TRIGGER hosts_desired_changed AFTER UPDATE OF desired_generation ON hosts
    FOR EACH ROW WHEN (NEW.desired_generation IS DISTINCT FROM OLD.desired_generation)
    EXECUTE FUNCTION hosts_notify_desired();
