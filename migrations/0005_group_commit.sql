-- Group commit (server/src/app/leases/batch.rs): concurrent grants, and concurrent releases,
-- share one transaction. Such a transaction bumps the generation of every host it touches
-- itself, all of them in id order, and says so in the transaction-local setting
-- `slicebroker.bumped_hosts = '*'`; the deferred per-row triggers of migration 0004 then have
-- nothing left to do. (Their own per-lease locking, one lease after another, could take the
-- hosts of a batch out of order.) DESIGN.md §2, invariant 4 holds either way: the bump is in
-- the transaction that changes the slices.
CREATE OR REPLACE FUNCTION slices_bump_desired_generation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    done text := coalesce(current_setting('slicebroker.bumped_hosts', true), '');
    bumped text;
BEGIN
    IF done = '*' THEN
        RETURN NULL;
    END IF;
    WITH locked AS (
        SELECT h.id FROM hosts h
        WHERE h.id IN (SELECT g.host_id FROM slices s JOIN gpus g ON g.id = s.gpu_id
                       WHERE s.lease_id = NEW.lease_id)
            AND strpos(done, h.id::text) = 0
        ORDER BY h.id FOR UPDATE
    ), bump AS (
        UPDATE hosts h SET desired_generation = h.desired_generation + 1
        FROM locked WHERE h.id = locked.id
        RETURNING h.id
    )
    SELECT string_agg(id::text, ',') INTO bumped FROM bump;
    IF bumped IS NOT NULL THEN
        PERFORM set_config('slicebroker.bumped_hosts', done || ',' || bumped, true);
    END IF;
    RETURN NULL;
END;
$$;

-- A grant checks the tenant's quota against what it holds now. Without these, that read walks
-- every lease the tenant ever had. `slices.tenant_id` is its lease's tenant, written with the
-- slice in the statement that writes or grants the lease (store/leases.rs).
ALTER TABLE slices ADD COLUMN tenant_id uuid;
UPDATE slices s SET tenant_id = l.tenant_id FROM leases l WHERE l.id = s.lease_id;
ALTER TABLE slices ALTER COLUMN tenant_id SET NOT NULL;
CREATE INDEX slices_live_tenant ON slices (tenant_id) WHERE released_at IS NULL;
CREATE INDEX leases_tenant_live ON leases (tenant_id) WHERE state <> 'ended';
