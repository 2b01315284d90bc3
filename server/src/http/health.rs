//! `/healthz` (the process is up), `/readyz` (the database answers) and `/metrics`.

use crate::app::{App, Error};
use crate::http::problem::Unavailable;
use crate::store;
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
    store::ping(app.db())
        .await
        .map_err(|_| Error::Unavailable("the database does not answer".into()))?;
    Ok(Json(HealthStatus { status: "ready" }))
}

/// Prometheus metrics
///
/// Request counts and latencies per route and status, grant outcomes, leases by state
/// (`slicebroker_leases`) and free capacity per model and profile
/// (`slicebroker_free_capacity`), in the Prometheus text format. Unauthenticated: keep it off
/// the public network.
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
    use std::fmt::Write;
    let mut out = String::new();
    app.metrics().render(&mut out);
    let _ = writeln!(out, "# HELP slicebroker_leases Leases by state.");
    let _ = writeln!(out, "# TYPE slicebroker_leases gauge");
    for (state, n) in store::leases::count_by_state(app.db()).await? {
        let _ = writeln!(out, "slicebroker_leases{{state=\"{state}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "# HELP slicebroker_free_capacity Instances of each profile that fit now, per model."
    );
    let _ = writeln!(out, "# TYPE slicebroker_free_capacity gauge");
    for c in crate::app::fleet::capacity(&app) {
        let _ = writeln!(
            out,
            "slicebroker_free_capacity{{model=\"{}\",profile=\"{}\"}} {}",
            c.model, c.profile, c.available
        );
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out))
}
