//! `/v1/tenants`: admin management of tenants and their policy.

use super::auth::{AdminRole, Caller, CallerWith};
use super::json::Json;
use super::path::Path;
use crate::app::tenants::{self, TenantCreate, TenantUpdate};
use crate::app::{App, Error};
use crate::domain::tenant::Tenant;
use crate::http::problem::{
    BadRequest, Conflict, Forbidden, NotFound, Unauthenticated, Unavailable,
};
use axum::extract::State;
use axum::http::StatusCode;
use slicebroker_types::TenantId;
use slicebroker_types::api::AuditRecord;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(tenant_list, tenant_create))
        .routes(routes!(tenant_show, tenant_update))
        .routes(routes!(tenant_audit))
}

/// Create a tenant (admin)
///
/// A tenant is a team: it owns API keys and leases and has one policy (quotas and lease
/// limits). Policy fields left out take their defaults. Next, create a `tenant-admin` or
/// `member` key for it with `api_key_create`.
#[utoipa::path(
    post,
    path = "/v1/tenants",
    operation_id = "tenant_create",
    tag = "tenants",
    request_body = TenantCreate,
    responses(
        (status = 201, description = "Created", body = Tenant),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 503, response = Unavailable),
    )
)]
async fn tenant_create(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
    Json(req): Json<TenantCreate>,
) -> Result<(StatusCode, axum::Json<Tenant>), Error> {
    let t = tenants::tenant_create(app.db(), &who, req).await?;
    Ok((StatusCode::CREATED, axum::Json(t)))
}

/// List tenants (admin)
///
/// Every tenant, by name.
#[utoipa::path(
    get,
    path = "/v1/tenants",
    operation_id = "tenant_list",
    tag = "tenants",
    responses(
        (status = 200, description = "All tenants", body = Vec<Tenant>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
async fn tenant_list(
    State(app): State<App>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<Tenant>>, Error> {
    tenants::tenant_list(app.db(), &who).await.map(axum::Json)
}

/// Show a tenant
///
/// Admins see any tenant; a tenant's own keys see their tenant, with its policy. Anyone else
/// gets `404`.
#[utoipa::path(
    get,
    path = "/v1/tenants/{id}",
    operation_id = "tenant_show",
    tag = "tenants",
    params(("id" = Uuid, Path, description = "The tenant's id")),
    responses(
        (status = 200, description = "The tenant", body = Tenant),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn tenant_show(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<TenantId>,
) -> Result<axum::Json<Tenant>, Error> {
    tenants::tenant_show(app.db(), &who, id)
        .await
        .map(axum::Json)
}

/// Change a tenant's display name or policy (admin)
///
/// `policy`, when given, replaces the whole policy: send every field. Leases already granted
/// keep their terms; the new limits apply to what comes next. Audited with before and after
/// (`tenant_audit`).
#[utoipa::path(
    patch,
    path = "/v1/tenants/{id}",
    operation_id = "tenant_update",
    tag = "tenants",
    params(("id" = Uuid, Path, description = "The tenant's id")),
    request_body = TenantUpdate,
    responses(
        (status = 200, description = "The tenant as changed", body = Tenant),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn tenant_update(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
    Path(id): Path<TenantId>,
    Json(req): Json<TenantUpdate>,
) -> Result<axum::Json<Tenant>, Error> {
    tenants::tenant_update(app.db(), &who, id, req)
        .await
        .map(axum::Json)
}

/// A tenant's audit trail (admin)
///
/// Every change to the tenant (create, policy and name updates) and to its webhooks and API
/// keys (created, changed, secret rotated, deleted, revoked), oldest first, with the acting key
/// and the object before and after (`target_kind` says which kind). Fleet-wide webhooks belong
/// to no tenant: they are in `GET /v1/audit`, the whole log. An unknown id is `404`.
#[utoipa::path(
    get,
    path = "/v1/tenants/{id}/audit",
    operation_id = "tenant_audit",
    tag = "tenants",
    params(("id" = Uuid, Path, description = "The tenant's id")),
    responses(
        (status = 200, description = "Audit entries, oldest first", body = Vec<AuditRecord>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
async fn tenant_audit(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<TenantId>,
) -> Result<axum::Json<Vec<AuditRecord>>, Error> {
    tenants::tenant_audit(app.db(), &who, id)
        .await
        .map(axum::Json)
}
