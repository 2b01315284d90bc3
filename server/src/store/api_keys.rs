//! `api_keys`: stored as SHA-256 hashes; looked up by hash, listed per tenant, revoked.

use crate::domain::role::Role;
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use uuid::Uuid;

/// An API key as stored (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ApiKey {
    pub id: Uuid,
    /// `null` for fleet admins.
    pub tenant_id: Option<Uuid>,
    pub role: Role,
    pub name: String,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

struct Row {
    id: Uuid,
    tenant_id: Option<Uuid>,
    role: String,
    name: String,
    key_prefix: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

impl TryFrom<Row> for ApiKey {
    type Error = sqlx::Error;

    fn try_from(r: Row) -> Result<Self, Self::Error> {
        Ok(ApiKey {
            id: r.id,
            tenant_id: r.tenant_id,
            role: Role::parse(&r.role)
                .ok_or_else(|| sqlx::Error::Decode(format!("unknown role {}", r.role).into()))?,
            name: r.name,
            prefix: r.key_prefix,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        })
    }
}

#[derive(Debug)]
pub struct NewApiKey<'a> {
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    pub role: Role,
    pub name: &'a str,
    pub hash: &'a [u8],
    pub prefix: &'a str,
    pub created_by: Option<Uuid>,
}

pub async fn insert(db: impl PgExecutor<'_>, k: NewApiKey<'_>) -> Result<ApiKey, sqlx::Error> {
    sqlx::query_as!(
        Row,
        r#"INSERT INTO api_keys (id, tenant_id, role, name, key_hash, key_prefix, created_by)
           VALUES ($1, $2, $3::text::api_role, $4, $5, $6, $7)
           RETURNING id, tenant_id, role::text AS "role!", name, key_prefix, created_at,
               revoked_at"#,
        k.id,
        k.tenant_id,
        k.role.as_str(),
        k.name,
        k.hash,
        k.prefix,
        k.created_by,
    )
    .fetch_one(db)
    .await?
    .try_into()
}

/// The unrevoked key with this hash (of a tenant that still exists).
pub async fn find_active_by_hash(
    db: impl PgExecutor<'_>,
    hash: &[u8],
) -> Result<Option<ApiKey>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        r#"UPDATE api_keys SET last_used_at = now()
           WHERE key_hash = $1 AND revoked_at IS NULL
           RETURNING id, tenant_id, role::text AS "role!", name, key_prefix, created_at,
               revoked_at"#,
        hash
    )
    .fetch_optional(db)
    .await?
    .map(ApiKey::try_from)
    .transpose()
}

pub async fn get(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<ApiKey>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        r#"SELECT id, tenant_id, role::text AS "role!", name, key_prefix, created_at, revoked_at
           FROM api_keys WHERE id = $1"#,
        id
    )
    .fetch_optional(db)
    .await?
    .map(ApiKey::try_from)
    .transpose()
}

pub async fn list_for_tenant(
    db: impl PgExecutor<'_>,
    tenant_id: Uuid,
) -> Result<Vec<ApiKey>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        r#"SELECT id, tenant_id, role::text AS "role!", name, key_prefix, created_at, revoked_at
           FROM api_keys WHERE tenant_id = $1 ORDER BY created_at, id"#,
        tenant_id
    )
    .fetch_all(db)
    .await?
    .into_iter()
    .map(ApiKey::try_from)
    .collect()
}

/// Marks the key revoked; `None` if there is no such unrevoked key.
pub async fn revoke(db: impl PgExecutor<'_>, id: Uuid) -> Result<Option<ApiKey>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        r#"UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
           RETURNING id, tenant_id, role::text AS "role!", name, key_prefix, created_at,
               revoked_at"#,
        id
    )
    .fetch_optional(db)
    .await?
    .map(ApiKey::try_from)
    .transpose()
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
