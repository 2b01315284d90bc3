//! `/v1/gpus`, `/v1/hosts`, `/v1/capacity` and admin cordoning.

use super::auth::Caller;
use super::path::Path;
use crate::app::fleet::{self, Capacity, Gpu, Target};
use crate::app::{App, Error};
use crate::store::fleet::Host;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/v1/gpus", get(gpu_list))
        .route("/v1/hosts", get(host_list))
        .route("/v1/capacity", get(capacity_show))
        .route("/v1/gpus/{id}/cordon", post(gpu_cordon))
        .route("/v1/gpus/{id}/uncordon", post(gpu_uncordon))
        .route("/v1/hosts/{id}/cordon", post(host_cordon))
        .route("/v1/hosts/{id}/uncordon", post(host_uncordon))
}

async fn gpu_list(State(app): State<App>, Caller(who): Caller) -> Result<Json<Vec<Gpu>>, Error> {
    fleet::gpu_list(&app, &who).await.map(Json)
}

async fn host_list(State(app): State<App>, Caller(_): Caller) -> Result<Json<Vec<Host>>, Error> {
    fleet::host_list(&app).await.map(Json)
}

async fn capacity_show(State(app): State<App>, Caller(_): Caller) -> Json<Vec<Capacity>> {
    Json(fleet::capacity(&app))
}

async fn gpu_cordon(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, Error> {
    fleet::set_schedulable(&app, &who, Target::Gpu, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn gpu_uncordon(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, Error> {
    fleet::set_schedulable(&app, &who, Target::Gpu, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn host_cordon(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, Error> {
    fleet::set_schedulable(&app, &who, Target::Host, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn host_uncordon(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> Result<StatusCode, Error> {
    fleet::set_schedulable(&app, &who, Target::Host, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}
