//! `/v1/tenants/{id}/api-keys`: create (secret shown once), list, revoke.

use super::auth::Caller;
use super::json::Json;
use super::path::Path;
use crate::app::keys::{self, ApiKeyCreate, ApiKeyCreated, ApiKeySummary};
use crate::app::{App, Error};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/v1/tenants/{id}/api-keys",
            get(api_key_list).post(api_key_create),
        )
        .route(
            "/v1/tenants/{id}/api-keys/{key_id}/revoke",
            post(api_key_revoke),
        )
}

async fn api_key_create(
    State(app): State<App>,
    Caller(who): Caller,
    Path(tenant): Path<Uuid>,
    Json(req): Json<ApiKeyCreate>,
) -> Result<(StatusCode, axum::Json<ApiKeyCreated>), Error> {
    let k = keys::api_key_create(app.db(), &who, tenant, req).await?;
    Ok((StatusCode::CREATED, axum::Json(k)))
}

async fn api_key_list(
    State(app): State<App>,
    Caller(who): Caller,
    Path(tenant): Path<Uuid>,
) -> Result<axum::Json<Vec<ApiKeySummary>>, Error> {
    keys::api_key_list(app.db(), &who, tenant)
        .await
        .map(axum::Json)
}

async fn api_key_revoke(
    State(app): State<App>,
    Caller(who): Caller,
    Path((tenant, key_id)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<ApiKeySummary>, Error> {
    keys::api_key_revoke(app.db(), &who, tenant, key_id)
        .await
        .map(axum::Json)
}
