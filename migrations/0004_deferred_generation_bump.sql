-- DESIGN.md §2, invariant 4, at commit: a host's desired generation moves in the transaction that
-- places slices on it, or releases them where no agent tears them down (a teardown bumps the
-- generation itself and stamps `teardown_generation`; the agent's report then releases the
-- slices without another bump). Deferred constraint triggers do the bump as the transaction
-- commits, once per host per transaction, so the host's row lock, which every grant and release
-- on the host waits for, is held for the commit only and not for a round trip to the server.
-- Each firing locks all the hosts of the slice's lease in id order, so concurrent transactions
-- cannot deadlock on host rows; the hosts already bumped are remembered in a transaction-local
-- setting.
CREATE FUNCTION slices_bump_desired_generation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    done text := coalesce(current_setting('slicebroker.bumped_hosts', true), '');
    bumped text;
BEGIN
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

CREATE CONSTRAINT TRIGGER slices_placed_bump AFTER INSERT ON slices
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION slices_bump_desired_generation();

CREATE CONSTRAINT TRIGGER slices_released_bump AFTER UPDATE OF released_at ON slices
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (OLD.released_at IS NULL AND NEW.released_at IS NOT NULL
        AND NEW.teardown_generation IS NULL)
    EXECUTE FUNCTION slices_bump_desired_generation();
