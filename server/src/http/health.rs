//! `/healthz` (the process is up), `/readyz` (the database answers) and `/metrics`.

use crate::app::{App, Error};
use crate::http::problem::Unavailable;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(health_show))
        .routes(routes!(readiness_show))
        .routes(routes!(metrics_show))
}

/// The body of `/healthz` and `/readyz`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HealthStatus {
    /// `ok` (`/healthz`) or `ready` (`/readyz`).
    pub status: &'static str,
}

/// Liveness probe
///
/// Answers while the process runs, whatever the database does: for a liveness probe.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "health_show",
    tag = "operations",
    security(),
    responses((status = 200, description = "The process is up", body = HealthStatus))
)]
async fn health_show() -> Json<HealthStatus> {
    Json(HealthStatus { status: "ok" })
}

/// Readiness probe
///
/// Answers 200 when the database answers too: for a readiness probe or a load balancer.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readiness_show",
    tag = "operations",
    security(),
    responses(
        (status = 200, description = "Ready to serve", body = HealthStatus),
        (status = 503, response = Unavailable),
    )
)]
async fn readiness_show(State(app): State<App>) -> Result<Json<HealthStatus>, Error> {
    crate::app::metrics::ready(&app).await?;
    Ok(Json(HealthStatus { status: "ready" }))
}

/// Prometheus metrics
///
/// In the Prometheus text format: per slice of an active lease, busy or idle, seconds since
/// last activity, processes, memory and activity (`slicebroker_slice_*`); per tenant, holding
/// against quota and this month's budget and leases by state (`slicebroker_tenant_*`); per
/// host, agent report age and reconcile lag (`slicebroker_host_*`); for the fleet, GPUs by
/// state, free capacity, the pending queue and leases by state and end reason; and this
/// replica's request, create and reconcile latency histograms, grant and group-commit counters
/// and database pool. Unauthenticated: keep it off the public network.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics_show",
    tag = "operations",
    security(),
    responses(
        (status = 200, description = "Prometheus text exposition format", body = String,
            content_type = "text/plain; version=0.0.4"),
        (status = 503, response = Unavailable),
    )
)]
async fn metrics_show(State(app): State<App>) -> Result<impl IntoResponse, Error> {
    let out = crate::app::metrics::exposition(&app).await?;
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out))
}
