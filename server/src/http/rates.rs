//! `/v1/rates`: the cost-rate card that prices usage (chargeback).

use super::auth::{AdminRole, Caller, CallerWith};
use super::json::Json;
use crate::app::{App, Error, rates};
use crate::http::problem::{BadRequest, Forbidden, Unauthenticated, Unavailable};
use axum::extract::State;
use slicebroker_types::api::{AuditRecord, CostRates};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(rates_show, rates_replace))
        .routes(routes!(rates_audit))
}

/// Show the cost rates
///
/// What a slice-hour costs per GPU model and profile, or per compute-slice-hour where a
/// profile has no rate of its own; `GET /v1/usage` prices usage with them.
#[utoipa::path(
    get,
    path = "/v1/rates",
    operation_id = "rates_show",
    tag = "usage",
    responses(
        (status = 200, description = "The rate card", body = CostRates),
        (status = 401, response = Unauthenticated),
        (status = 503, response = Unavailable),
    )
)]
async fn rates_show(
    State(app): State<App>,
    Caller(who): Caller,
) -> Result<axum::Json<CostRates>, Error> {
    rates::rates_show(app.db(), &who).await.map(axum::Json)
}

/// Replace the cost rates (admin)
///
/// The whole card at once (at most 1000 rates, each 0 to 1000000 per hour, no two for the
/// same `model` and `profile`). Usage reports price every period with the card in force when
/// they are made. Audited with the card before and after (`rates_audit`).
#[utoipa::path(
    put,
    path = "/v1/rates",
    operation_id = "rates_replace",
    tag = "usage",
    request_body = CostRates,
    responses(
        (status = 200, description = "The rate card as replaced", body = CostRates),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
async fn rates_replace(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
    Json(req): Json<CostRates>,
) -> Result<axum::Json<CostRates>, Error> {
    rates::rates_replace(app.db(), &who, req)
        .await
        .map(axum::Json)
}

/// The cost rates' audit trail (admin)
///
/// Every replacement of the rate card, oldest first, with the acting key and the card before
/// and after.
#[utoipa::path(
    get,
    path = "/v1/rates/audit",
    operation_id = "rates_audit",
    tag = "usage",
    responses(
        (status = 200, description = "Audit entries, oldest first", body = Vec<AuditRecord>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
async fn rates_audit(
    State(app): State<App>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<AuditRecord>>, Error> {
    rates::rates_audit(app.db(), &who).await.map(axum::Json)
}
