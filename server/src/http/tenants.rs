//! `/v1/tenants`: admin management of tenants and their policy.

use super::auth::Caller;
use super::json::Json;
use super::path::Path;
use crate::app::tenants::{self, TenantCreate, TenantUpdate};
use crate::app::{App, Error};
use crate::domain::tenant::Tenant;
use crate::store::audit::AuditRecord;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/v1/tenants", get(tenant_list).post(tenant_create))
        .route("/v1/tenants/{id}", get(tenant_show).patch(tenant_update))
        .route("/v1/tenants/{id}/audit", get(tenant_audit))
}

async fn tenant_create(
    State(app): State<App>,
    Caller(who): Caller,
    Json(req): Json<TenantCreate>,
) -> Result<(StatusCode, axum::Json<Tenant>), Error> {
    let t = tenants::tenant_create(app.db(), &who, req).await?;
    Ok((StatusCode::CREATED, axum::Json(t)))
}

async fn tenant_list(
    State(app): State<App>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<Tenant>>, Error> {
    tenants::tenant_list(app.db(), &who).await.map(axum::Json)
}

async fn tenant_show(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Tenant>, Error> {
    tenants::tenant_show(app.db(), &who, id)
        .await
        .map(axum::Json)
}

async fn tenant_update(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<TenantUpdate>,
) -> Result<axum::Json<Tenant>, Error> {
    tenants::tenant_update(app.db(), &who, id, req)
        .await
        .map(axum::Json)
}

async fn tenant_audit(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<AuditRecord>>, Error> {
    tenants::tenant_audit(app.db(), &who, id)
        .await
        .map(axum::Json)
}
