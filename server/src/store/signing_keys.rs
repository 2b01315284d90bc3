//! `signing_keys`: the server's generated JWT keys, so every replica and restart signs with the
//! same key and verifies tokens the others issued.

use sqlx::PgExecutor;

#[derive(Clone)]
pub struct SigningKeyRow {
    pub kid: String,
    pub private_der: Vec<u8>,
}

impl std::fmt::Debug for SigningKeyRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeyRow")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// The newest unretired EdDSA key.
pub async fn current(db: impl PgExecutor<'_>) -> Result<Option<SigningKeyRow>, sqlx::Error> {
    sqlx::query_as!(
        SigningKeyRow,
        "SELECT kid, private_der FROM signing_keys
         WHERE alg = 'EdDSA' AND retired_at IS NULL ORDER BY created_at DESC, kid LIMIT 1"
    )
    .fetch_optional(db)
    .await
}

/// Stores `key` unless another replica stored one first; returns the key to use either way.
pub async fn insert_or_get(
    db: &sqlx::PgPool,
    key: &SigningKeyRow,
) -> Result<SigningKeyRow, sqlx::Error> {
    let mut tx = db.begin().await?;
    // One generator at a time across replicas; the lock ends with the transaction.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext('slicebroker.signing_keys'))")
        .execute(&mut *tx)
        .await?;
    if let Some(existing) = current(&mut *tx).await? {
        tx.commit().await?;
        return Ok(existing);
    }
    sqlx::query!(
        "INSERT INTO signing_keys (kid, alg, private_der) VALUES ($1, 'EdDSA', $2)",
        key.kid,
        key.private_der
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(key.clone())
}
