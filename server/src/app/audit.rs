//! The whole audit log (admin): every audited change, to any object, newest first.

use super::auth::Principal;
use super::{Error, page_size};
use crate::store::audit;
use slicebroker_types::api::{AuditPage, AuditTargetKind};
use slicebroker_types::limits;

/// What [`audit_list`] lists.
#[derive(Debug, Default)]
pub struct ListQuery {
    pub kind: Option<AuditTargetKind>,
    pub id: Option<String>,
    /// The `next_cursor` of the previous page: entries older than it.
    pub cursor: Option<i64>,
    /// 1-500, default 100.
    pub limit: Option<i64>,
}

pub async fn audit_list(
    db: &sqlx::PgPool,
    who: &Principal,
    q: ListQuery,
) -> Result<AuditPage, Error> {
    who.require_admin()?;
    let limit = page_size(q.limit)?;
    if let Some(id) = &q.id {
        // An object's id is named as names are: 1-200 characters, no control characters.
        limits::name(id).map_err(|r| Error::invalid("target_id", r))?;
    }
    if q.cursor.is_some_and(|c| c < 1) {
        return Err(Error::invalid("cursor", "must be a positive entry id"));
    }
    let filter = audit::PageFilter {
        kind: q.kind,
        id: q.id.as_deref(),
        before: q.cursor,
        limit: limit + 1,
    };
    let mut items = audit::page(db, &filter).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|a| a.id)
    } else {
        None
    };
    Ok(AuditPage { items, next_cursor })
}
