-- Issue 18: slice classes, named shapes admins define (`notebook`, `full-gpu`) that a lease
-- request may name instead of a raw profile; the lease keeps the class it came from; and the
-- tenant policy's limit on profile sizes outside classes. Bounds: slicebroker_types::limits.
CREATE TABLE slice_classes (
    name text PRIMARY KEY,
    description text NOT NULL,
    -- What the class gives: a profile name per GPU model (catalog key -> profile name) and/or a
    -- need (the smallest plain profile with this much memory and compute) on other models.
    profiles jsonb NOT NULL DEFAULT '{}',
    min_memory_gib integer,
    min_compute_slices integer,
    default_duration_seconds bigint NOT NULL,
    max_duration_seconds bigint NOT NULL,
    idle_timeout_seconds bigint NOT NULL,
    priority integer NOT NULL DEFAULT 0,
    -- The tenants that may use it; NULL: every tenant.
    tenants uuid[],
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT slice_classes_name_format CHECK (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    CONSTRAINT slice_classes_gives_something CHECK (
        profiles <> '{}' OR min_memory_gib IS NOT NULL),
    CONSTRAINT slice_classes_bounded CHECK (
        length(description) BETWEEN 1 AND 200
        AND min_memory_gib BETWEEN 1 AND 4096
        AND min_compute_slices BETWEEN 1 AND 8
        AND default_duration_seconds BETWEEN 1 AND max_duration_seconds
        AND max_duration_seconds BETWEEN 1 AND 31622400
        AND idle_timeout_seconds BETWEEN 1 AND 31622400
        AND priority BETWEEN -100 AND 100
        AND coalesce(cardinality(tenants), 0) <= 1000)
);
CREATE TRIGGER slice_classes_touch BEFORE UPDATE ON slice_classes
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The class a lease was made from (its name then; NULL: none). No foreign key: deleting a
-- class keeps the history of the leases made from it.
ALTER TABLE leases ADD COLUMN class text;

-- The largest profile, in compute slices, a lease not made from a class may get (NULL: any;
-- 0: every lease must come from a class). `4` keeps 7g profiles to the classes that give them.
ALTER TABLE tenants
    ADD COLUMN max_compute_slices_outside_classes integer,
    ADD CONSTRAINT tenants_max_compute_slices_outside_classes_bounded CHECK (
        max_compute_slices_outside_classes BETWEEN 0 AND 8);
