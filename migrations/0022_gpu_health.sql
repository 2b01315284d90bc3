-- Issue 18, instance health: what the agents report of each GPU's health (temperature, power,
-- ECC counts, clock throttle reasons) and the XID errors they saw, with the MIG instance and
-- the leases each hit. Written by the observed-report transaction in one statement
-- (store::health::record), after the report's GPU rows and before any lease row, so health rows
-- add nothing to the lock order of grants and releases (leases, then hosts, then slices): only
-- reports write them, and a report takes them before its leases.

-- The latest readings per GPU. A reading the board does not measure is NULL ("not measured",
-- never zero). Rewritten when a reading changes, and at least once a minute while none does,
-- so `reported_at` is never more than a minute older than the agent's last report.
CREATE TABLE gpu_health (
    gpu_id uuid PRIMARY KEY REFERENCES gpus (id),
    temperature_c integer,
    power_mw integer,
    -- ECC error counts since the driver loaded (volatile) and over the GPU's life (aggregate);
    -- all four NULL where ECC is off or unsupported.
    ecc_volatile_corrected bigint,
    ecc_volatile_uncorrected bigint,
    ecc_aggregate_corrected bigint,
    ecc_aggregate_uncorrected bigint,
    -- NVML's clock event reasons by name (ThrottleReason); NULL: not measured, empty: none.
    throttle_reasons text[],
    -- XIDs the agent saw but left out of its reports to keep them bounded, summed.
    xids_dropped bigint NOT NULL DEFAULT 0,
    reported_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gpu_health_temperature_bounded CHECK (temperature_c BETWEEN 0 AND 200),
    CONSTRAINT gpu_health_power_bounded CHECK (power_mw BETWEEN 0 AND 10000000),
    CONSTRAINT gpu_health_ecc_all_or_none CHECK (
        num_nulls(ecc_volatile_corrected, ecc_volatile_uncorrected, ecc_aggregate_corrected,
                  ecc_aggregate_uncorrected) IN (0, 4)),
    CONSTRAINT gpu_health_ecc_nonnegative CHECK (
        least(ecc_volatile_corrected, ecc_volatile_uncorrected, ecc_aggregate_corrected,
              ecc_aggregate_uncorrected) >= 0),
    CONSTRAINT gpu_health_throttle_known CHECK (throttle_reasons <@ ARRAY[
        'gpu_idle', 'applications_clocks_setting', 'sw_power_cap', 'hw_slowdown', 'sync_boost',
        'sw_thermal_slowdown', 'hw_thermal_slowdown', 'hw_power_brake_slowdown',
        'display_clock_setting']::text[]),
    CONSTRAINT gpu_health_xids_dropped_nonnegative CHECK (xids_dropped >= 0)
);

-- The recent XIDs per GPU: the newest 100 (store::health::XID_HISTORY) are kept, older ones
-- deleted by the statement that inserts new ones. `lease_ids` are the leases whose slices'
-- GPU instances the XID hit (XidEvent::hits_instance) when it was reported; no foreign key,
-- so recording one takes no lock on a lease row.
CREATE TABLE gpu_xids (
    id bigserial PRIMARY KEY,
    gpu_id uuid NOT NULL REFERENCES gpus (id),
    xid integer NOT NULL,
    -- One of FATAL_XIDS (server/types/src/health.rs).
    fatal boolean NOT NULL,
    -- The MIG instance NVML named; NULL: the whole GPU.
    gpu_instance_id integer,
    compute_instance_id integer,
    lease_ids uuid[] NOT NULL DEFAULT '{}',
    seen_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT gpu_xids_xid_nonnegative CHECK (xid >= 0),
    CONSTRAINT gpu_xids_lease_ids_bounded CHECK (cardinality(lease_ids) <= 64)
);
CREATE INDEX gpu_xids_gpu ON gpu_xids (gpu_id, id DESC);

-- Every XID ever recorded per GPU, by `xid`: a FATAL_XIDS number as text, or 'other' (so
-- /metrics' slicebroker_gpu_xid_errors_total has at most 11 series per GPU). Kept by the same
-- statement; the history above forgets, these counters do not.
CREATE TABLE gpu_xid_totals (
    gpu_id uuid NOT NULL REFERENCES gpus (id),
    xid text NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (gpu_id, xid),
    CONSTRAINT gpu_xid_totals_label_bounded CHECK (
        xid IN ('48', '63', '64', '74', '79', '92', '94', '95', '119', '120', 'other')),
    CONSTRAINT gpu_xid_totals_positive CHECK (n > 0)
);
