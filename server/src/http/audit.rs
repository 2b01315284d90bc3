//! `/v1/audit`: the whole audit log (admin).

use super::auth::{AdminRole, CallerWith};
use super::query::Query;
use crate::app::{App, Error, audit};
use crate::http::problem::{Forbidden, InvalidInput, Unauthenticated, Unavailable};
use axum::extract::State;
use serde::Deserialize;
use slicebroker_types::api::{AuditPage, AuditTargetKind};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(audit_list))
}

/// Query of `GET /v1/audit`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditListQuery {
    /// Only changes to this kind of object.
    pub target_kind: Option<AuditTargetKind>,
    /// Only changes to the object with this id (a class's name; `fleet` for the rate card),
    /// 1-200 characters, not blank, no control characters.
    // The pattern is `contract::NAME` (a literal here: the attribute takes no path).
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$"
    )]
    pub target_id: Option<String>,
    /// The `next_cursor` of the previous page: older entries.
    #[param(minimum = 1)]
    pub cursor: Option<i64>,
    /// Page size, 1-500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// The audit log (admin)
///
/// Every audited change in the fleet, newest first, a page at a time: hosts and GPUs cordoned,
/// uncordoned and removed, tenants and their policies, API keys, webhooks (fleet-wide ones
/// too) and redeliveries, slice classes, the rate card and enrollment tokens. Each entry names
/// the acting key and holds the object before and after the change. While `next_cursor` is
/// present, pass it as `cursor` for the next, older page. `GET /v1/tenants/{id}/audit` is one
/// tenant's part of it.
#[utoipa::path(
    get,
    path = "/v1/audit",
    operation_id = "audit_list",
    tag = "audit",
    params(AuditListQuery),
    responses(
        (status = 200, description = "A page of audit entries, newest first", body = AuditPage),
        (status = 400, response = InvalidInput),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
async fn audit_list(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
    Query(q): Query<AuditListQuery>,
) -> Result<axum::Json<AuditPage>, Error> {
    let query = audit::ListQuery {
        kind: q.target_kind,
        id: q.target_id,
        cursor: q.cursor,
        limit: q.limit,
    };
    audit::audit_list(app.db(), &who, query)
        .await
        .map(axum::Json)
}
