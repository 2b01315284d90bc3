-- Whether new slices may be placed on a GPU: neither it nor its host cordoned, MIG on, its
-- profile table as the catalog says, its host reporting and not removed. The placement index
-- (store::fleet::gpus) and the no-capacity answer's next_free_at
-- (store::leases::next_end_on_models) both ask it, so they cannot disagree.
CREATE FUNCTION gpu_placeable(g gpus, h hosts) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT g.schedulable AND h.schedulable AND g.mig_enabled AND g.geometry_matches_catalog
        AND h.unreachable_since IS NULL AND h.removed_at IS NULL
$$;
