//! `idempotency_claims`: an `Idempotency-Key` claimed before its request is decided, so that
//! one key has one outcome across requests and replicas (`app::idempotency`).

use super::Tx;
use slicebroker_types::TenantId;
use sqlx::PgExecutor;
use uuid::Uuid;

/// A claim someone else holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    pub fingerprint: String,
}

/// Claims `key` for the request with `token`, unless a claim younger than `stale_ms` is held:
/// then returns that claim (`Err`). A stale claim (its holder died or froze) is taken over.
pub async fn claim(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    key: &str,
    fingerprint: &str,
    token: Uuid,
    stale_ms: i64,
) -> Result<Result<(), Held>, sqlx::Error> {
    let r = sqlx::query!(
        r#"WITH mine AS (
               INSERT INTO idempotency_claims (tenant_id, key, fingerprint, token)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (tenant_id, key) DO UPDATE
                   SET fingerprint = EXCLUDED.fingerprint, token = EXCLUDED.token,
                       claimed_at = now()
                   WHERE idempotency_claims.claimed_at
                       < now() - make_interval(secs => $5::bigint::double precision / 1000)
               RETURNING token
           )
           SELECT (SELECT token FROM mine) AS mine,
               (SELECT fingerprint FROM idempotency_claims WHERE tenant_id = $1 AND key = $2)
                   AS held"#,
        tenant.get(),
        key,
        fingerprint,
        token,
        stale_ms
    )
    .fetch_one(db)
    .await?;
    Ok(match (r.mine, r.held) {
        (Some(_), _) => Ok(()),
        (None, Some(fingerprint)) => Err(Held { fingerprint }),
        // Dropped between the insert's conflict and the read: the caller tries again.
        (None, None) => Err(Held {
            fingerprint: String::new(),
        }),
    })
}

/// Consumes the claim with the lease that settles it, in the transaction that writes the
/// lease; false if the claim is no longer this request's (taken over as stale).
pub async fn consume(
    tx: &mut Tx<'_>,
    claims: &[(TenantId, &str, Uuid)],
) -> Result<bool, sqlx::Error> {
    if claims.is_empty() {
        return Ok(true);
    }
    let r = sqlx::query!(
        "DELETE FROM idempotency_claims c
         USING unnest($1::uuid[], $2::text[], $3::uuid[]) AS m(tenant_id, key, token)
         WHERE c.tenant_id = m.tenant_id AND c.key = m.key AND c.token = m.token",
        &claims.iter().map(|c| c.0.get()).collect::<Vec<_>>(),
        &claims.iter().map(|c| c.1.to_owned()).collect::<Vec<_>>(),
        &claims.iter().map(|c| c.2).collect::<Vec<_>>(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(r.rows_affected() == claims.len() as u64)
}

/// Drops this request's claim (it was refused, or it is gone): the key may be used again.
pub async fn drop_claim(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
    key: &str,
    token: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "DELETE FROM idempotency_claims WHERE tenant_id = $1 AND key = $2 AND token = $3",
        tenant.get(),
        key,
        token
    )
    .execute(db)
    .await
    .map(|_| ())
}
