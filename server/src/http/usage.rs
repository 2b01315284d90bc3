//! `/v1/usage`: slice-hours, idle-held slice-hours and cost per tenant, profile and day, as
//! JSON or CSV.

use super::auth::Caller;
use super::query::Query;
use crate::app::{App, Error, usage};
use crate::http::problem::{InvalidInput, NotFound, Unauthenticated, Unavailable};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use slicebroker_types::TenantId;
use slicebroker_types::api::{RightsizingRow, UsageRow};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(usage_show))
        .routes(routes!(rightsizing_show))
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
    /// Admins: only this tenant (one that does not exist is `404`). Others may name only
    /// their own tenant (another is `404`).
    #[param(value_type = Option<Uuid>)]
    pub tenant_id: Option<TenantId>,
    /// `csv` for a CSV export (as does `Accept: text/csv`); default `json`.
    #[param(inline)]
    pub format: Option<UsageFormat>,
}

/// How `GET /v1/usage` answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UsageFormat {
    Json,
    Csv,
}

/// Usage report
///
/// Per tenant, GPU model, profile and UTC day over `[from, to)` (at most 366 days):
/// slice-hours (a slice counts from its grant until it is released, or until its lease ends
/// if that is first, as when its host is lost), compute-slice-hours, idle-held slice-hours (the
/// part of those hours its agent reported the slice idle: no compute process and, where
/// measured, no activity) and the cost at the current rates (`rates_show`). The caller's own
/// tenant (admins: every tenant, or `tenant_id`'s). `format=csv` or `Accept: text/csv` gives
/// the same rows as CSV with the header
/// `day,tenant_id,tenant,model,profile,slice_hours,compute_slice_hours,idle_held_slice_hours,cost`.
#[utoipa::path(
    get,
    path = "/v1/usage",
    operation_id = "usage_show",
    tag = "usage",
    params(UsageQuery),
    responses(
        (status = 200, description = "One row per tenant, model, profile and day", content(
            (Vec<UsageRow> = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, response = InvalidInput),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn usage_show(
    State(app): State<App>,
    Caller(who): Caller,
    headers: HeaderMap,
    Query(q): Query<UsageQuery>,
) -> Result<Response, Error> {
    let rows = usage::usage_report(&app, &who, q.tenant_id, q.from, q.to).await?;
    let format = q.format.unwrap_or_else(|| {
        if wants_csv(&headers) {
            UsageFormat::Csv
        } else {
            UsageFormat::Json
        }
    });
    Ok(match format {
        UsageFormat::Json => Json(rows).into_response(),
        UsageFormat::Csv => (
            [
                (CONTENT_TYPE, "text/csv; charset=utf-8"),
                (CONTENT_DISPOSITION, "attachment; filename=\"usage.csv\""),
            ],
            usage::csv(&rows),
        )
            .into_response(),
    })
}

/// Query of `GET /v1/usage/rightsizing`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RightsizingQuery {
    /// Start of the period (RFC 3339): leases that ended at or after it.
    pub from: DateTime<Utc>,
    /// End of the period (RFC 3339), after `from`, at most 366 days later: leases that ended
    /// before it.
    pub to: DateTime<Utc>,
    /// Admins: only this tenant (one that does not exist is `404`). Others may name only
    /// their own tenant (another is `404`).
    #[param(value_type = Option<Uuid>)]
    pub tenant_id: Option<TenantId>,
}

/// Right-sizing report
///
/// For the leases that ended in `[from, to)` (at most 366 days), per tenant, slice class (or
/// none), GPU model and profile: how many, the median and highest of their peak memory (what
/// their agents reported in use) against the profile's nominal memory, their busy share and
/// idle-held slice-hours (over each lease's active interval), and a smaller profile of the
/// same GPU model only where the evidence is strong: at least 10 leases (fewer: the note says
/// how many are needed), and at least 90 % of them peaked within its memory less 10 %
/// headroom and were busy under 20 % of their time; with the compute-slice-hours it would
/// have freed (their slice-hours × the difference in compute slices). The caller's own
/// tenant (admins: every tenant, or `tenant_id`'s).
#[utoipa::path(
    get,
    path = "/v1/usage/rightsizing",
    operation_id = "rightsizing_show",
    tag = "usage",
    params(RightsizingQuery),
    responses(
        (status = 200, description = "One row per tenant, class, model and profile",
         body = Vec<RightsizingRow>),
        (status = 400, response = InvalidInput),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn rightsizing_show(
    State(app): State<App>,
    Caller(who): Caller,
    Query(q): Query<RightsizingQuery>,
) -> Result<Json<Vec<RightsizingRow>>, Error> {
    Ok(Json(
        usage::rightsizing_report(&app, &who, q.tenant_id, q.from, q.to).await?,
    ))
}

/// Whether the `Accept` header prefers CSV: it names `text/csv` and no JSON type before it.
fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| {
            t.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .find(|t| t == "text/csv" || t == "application/json")
        .is_some_and(|t| t == "text/csv")
}
