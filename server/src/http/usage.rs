//! `/v1/usage`: slice-hours per tenant, profile and day.

use super::auth::Caller;
use super::query::Query;
use crate::app::{App, Error, usage};
use crate::http::problem::{InvalidInput, NotFound, Unauthenticated, Unavailable};
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use slicebroker_types::TenantId;
use slicebroker_types::api::UsageRow;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new().routes(routes!(usage_show))
}

/// Query of `GET /v1/usage`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// Start of the period (RFC 3339).
    pub from: DateTime<Utc>,
    /// End of the period (RFC 3339), after `from`.
    pub to: DateTime<Utc>,
    /// Admins: only this tenant.
    #[param(value_type = Option<Uuid>)]
    pub tenant_id: Option<TenantId>,
}

/// Usage report
///
/// Slice-hours per tenant, GPU model, profile and UTC day over `[from, to)` (at most 366
/// days): a slice counts from its grant until it is released. The caller's own tenant
/// (admins: every tenant, or `tenant_id`'s).
#[utoipa::path(
    get,
    path = "/v1/usage",
    operation_id = "usage_show",
    tag = "usage",
    params(UsageQuery),
    responses(
        (status = 200, description = "One row per tenant, model, profile and day", body = Vec<UsageRow>),
        (status = 400, response = InvalidInput),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn usage_show(
    State(app): State<App>,
    Caller(who): Caller,
    Query(q): Query<UsageQuery>,
) -> Result<Json<Vec<UsageRow>>, Error> {
    usage::usage_report(&app, &who, q.tenant_id, q.from, q.to)
        .await
        .map(Json)
}
