//! `api_keys`: stored as SHA-256 hashes; looked up by hash, listed per tenant, revoked.

use slicebroker_types::api::{ApiKeySummary, Role};
use slicebroker_types::{ApiKeyId, TenantId};
use sqlx::PgExecutor;

/// An API key as stored (never the secret): the wire type itself.
pub type ApiKey = ApiKeySummary;

#[derive(Debug)]
pub struct NewApiKey<'a> {
    pub id: ApiKeyId,
    pub tenant_id: Option<TenantId>,
    pub role: Role,
    pub name: &'a str,
    pub hash: &'a [u8],
    pub prefix: &'a str,
    pub created_by: Option<ApiKeyId>,
}

pub async fn insert(db: impl PgExecutor<'_>, k: NewApiKey<'_>) -> Result<ApiKey, sqlx::Error> {
    sqlx::query_as!(
        ApiKey,
        "INSERT INTO api_keys (id, tenant_id, role, name, key_hash, key_prefix, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, tenant_id, role, name, key_prefix AS prefix, created_at, revoked_at",
        k.id.get(),
        k.tenant_id.map(TenantId::get),
        k.role,
        k.name,
        k.hash,
        k.prefix,
        k.created_by.map(ApiKeyId::get),
    )
    .fetch_one(db)
    .await
}

/// The unrevoked key with this hash (of a tenant that still exists).
pub async fn find_active_by_hash(
    db: impl PgExecutor<'_>,
    hash: &[u8],
) -> Result<Option<ApiKey>, sqlx::Error> {
    sqlx::query_as!(
        ApiKey,
        "UPDATE api_keys SET last_used_at = now()
         WHERE key_hash = $1 AND revoked_at IS NULL
         RETURNING id, tenant_id, role, name, key_prefix AS prefix, created_at, revoked_at",
        hash
    )
    .fetch_optional(db)
    .await
}

pub async fn get(db: impl PgExecutor<'_>, id: ApiKeyId) -> Result<Option<ApiKey>, sqlx::Error> {
    sqlx::query_as!(
        ApiKey,
        "SELECT id, tenant_id, role, name, key_prefix AS prefix, created_at, revoked_at
         FROM api_keys WHERE id = $1",
        id.get()
    )
    .fetch_optional(db)
    .await
}

pub async fn list_for_tenant(
    db: impl PgExecutor<'_>,
    tenant_id: TenantId,
) -> Result<Vec<ApiKey>, sqlx::Error> {
    sqlx::query_as!(
        ApiKey,
        "SELECT id, tenant_id, role, name, key_prefix AS prefix, created_at, revoked_at
         FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id",
        tenant_id.get()
    )
    .fetch_all(db)
    .await
}

/// Marks the key revoked; `None` if there is no such unrevoked key.
pub async fn revoke(db: impl PgExecutor<'_>, id: ApiKeyId) -> Result<Option<ApiKey>, sqlx::Error> {
    sqlx::query_as!(
        ApiKey,
        "UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
         RETURNING id, tenant_id, role, name, key_prefix AS prefix, created_at, revoked_at",
        id.get()
    )
    .fetch_optional(db)
    .await
}

/// Every admin key, revoked ones too, oldest first.
pub async fn list_admin(db: impl PgExecutor<'_>) -> Result<Vec<ApiKey>, sqlx::Error> {
    sqlx::query_as!(
        ApiKey,
        "SELECT id, tenant_id, role, name, key_prefix AS prefix, created_at, revoked_at
         FROM api_keys WHERE role = 'admin' ORDER BY created_at, id"
    )
    .fetch_all(db)
    .await
}

/// The admin keys not revoked, locked until the transaction ends (so two revocations cannot
/// both leave the other as the last).
pub async fn lock_live_admins(tx: &mut super::Tx<'_>) -> Result<Vec<ApiKeyId>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL ORDER BY id
         FOR UPDATE"
    )
    .fetch_all(&mut **tx)
    .await
}

pub async fn admin_key_exists(db: impl PgExecutor<'_>) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL)
           AS "exists!""#
    )
    .fetch_one(db)
    .await?;
    Ok(r.exists)
}
