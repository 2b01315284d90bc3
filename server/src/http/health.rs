//! `/healthz` (the process is up), `/readyz` (the database answers) and `/metrics`.

use crate::app::{App, Error};
use crate::store;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn readyz(State(app): State<App>) -> Result<Json<serde_json::Value>, Error> {
    store::ping(app.db())
        .await
        .map_err(|_| Error::Unavailable("the database does not answer".into()))?;
    Ok(Json(json!({ "status": "ready" })))
}

async fn metrics(State(app): State<App>) -> Result<impl IntoResponse, Error> {
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
