//! `audit_log`: who changed what, with the before and after images.

use slicebroker_types::api::{AuditRecord, AuditTargetKind};
use slicebroker_types::{ApiKeyId, TenantId};
use sqlx::PgExecutor;

/// One audited change. `before`/`after` are JSON images of the object (`None` when it did not
/// exist before, or no longer does).
#[derive(Debug)]
pub struct Entry<'a> {
    pub actor_key_id: Option<ApiKeyId>,
    pub actor: &'a str,
    pub action: &'a str,
    pub target_kind: AuditTargetKind,
    pub target_id: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn record(db: impl PgExecutor<'_>, e: Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (actor_key_id, actor, action, target_kind, target_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        e.actor_key_id.map(ApiKeyId::get),
        e.actor,
        e.action,
        e.target_kind.as_str(),
        e.target_id,
        e.before,
        e.after,
    )
    .execute(db)
    .await
    .map(|_| ())
}

pub async fn for_target(
    db: impl PgExecutor<'_>,
    kind: AuditTargetKind,
    id: &str,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    sqlx::query_as!(
        AuditRecord,
        "SELECT id, actor, action, target_kind, target_id, before, after, at
         FROM audit_log WHERE target_kind = $1 AND target_id = $2 ORDER BY id",
        kind.as_str(),
        id
    )
    .fetch_all(db)
    .await
}

/// A tenant's history: the changes to the tenant itself and to its webhooks and API keys (by
/// the `tenant_id` of their images, so a deleted webhook's history stays), oldest first.
pub async fn for_tenant(
    db: impl PgExecutor<'_>,
    tenant: TenantId,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    let id = tenant.to_string();
    sqlx::query_as!(
        AuditRecord,
        "SELECT id, actor, action, target_kind, target_id, before, after, at
         FROM audit_log
         WHERE (target_kind = 'tenant' AND target_id = $1)
             OR (target_kind IN ('webhook', 'api_key')
                 AND coalesce(after, before) ->> 'tenant_id' = $1)
         ORDER BY id",
        id
    )
    .fetch_all(db)
    .await
}

/// What [`page`] lists: changes to one kind of object (and one object), older than `before`.
#[derive(Debug, Default)]
pub struct PageFilter<'a> {
    pub kind: Option<AuditTargetKind>,
    pub id: Option<&'a str>,
    pub before: Option<i64>,
    pub limit: i64,
}

/// The whole log, newest first: at most `limit` entries.
pub async fn page(
    db: impl PgExecutor<'_>,
    f: &PageFilter<'_>,
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    sqlx::query_as!(
        AuditRecord,
        "SELECT id, actor, action, target_kind, target_id, before, after, at
         FROM audit_log
         WHERE ($1::text IS NULL OR target_kind = $1)
             AND ($2::text IS NULL OR target_id = $2)
             AND ($3::bigint IS NULL OR id < $3)
         ORDER BY id DESC
         LIMIT $4",
        f.kind.map(AuditTargetKind::as_str),
        f.id,
        f.before,
        f.limit,
    )
    .fetch_all(db)
    .await
}
