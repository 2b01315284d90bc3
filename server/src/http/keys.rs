//! `/v1/tenants/{id}/api-keys`: create (secret shown once), list, revoke; `/v1/admin-keys`: list
//! and revoke admin keys (which the server's command line creates).

use super::auth::{AdminRole, Caller, CallerWith, TenantAdmin};
use super::json::Json;
use super::json::NoBody;
use super::path::Path;
use crate::app::keys::{self, ApiKeyCreate, ApiKeyCreated, ApiKeySummary};
use crate::app::{App, Error};
use crate::http::problem::{
    AlreadyRevoked, BadRequest, Forbidden, NotFound, RevokeConflict, Unauthenticated, Unavailable,
};
use axum::extract::State;
use axum::http::StatusCode;
use slicebroker_types::{ApiKeyId, TenantId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(api_key_list, api_key_create))
        .routes(routes!(api_key_revoke))
        .routes(routes!(admin_key_list))
        .routes(routes!(admin_key_revoke))
}

/// Create an API key (admin or tenant-admin)
///
/// The answer holds the key's `secret`: the only time it is ever shown, so store it now.
/// Exchange it for tokens with `token_create`. Roles: `tenant-admin` (keys and leases of the
/// tenant), `member` (leases), `viewer` (read only). Admin keys are made with the server's
/// command line, not here.
#[utoipa::path(
    post,
    path = "/v1/tenants/{id}/api-keys",
    operation_id = "api_key_create",
    tag = "api-keys",
    params(("id" = Uuid, Path, description = "The tenant's id")),
    request_body = ApiKeyCreate,
    responses(
        (status = 201, description = "Created; `secret` is shown this once", body = ApiKeyCreated),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn api_key_create(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<TenantAdmin>,
    Path(tenant): Path<TenantId>,
    Json(req): Json<ApiKeyCreate>,
) -> Result<(StatusCode, axum::Json<ApiKeyCreated>), Error> {
    let k = keys::api_key_create(app.db(), &who, tenant, req).await?;
    Ok((StatusCode::CREATED, axum::Json(k)))
}

/// List a tenant's API keys (admin or tenant-admin)
///
/// Every key of the tenant, revoked ones included, oldest first. Secrets are never shown;
/// `prefix` tells keys apart.
#[utoipa::path(
    get,
    path = "/v1/tenants/{id}/api-keys",
    operation_id = "api_key_list",
    tag = "api-keys",
    params(("id" = Uuid, Path, description = "The tenant's id")),
    responses(
        (status = 200, description = "The tenant's keys", body = Vec<ApiKeySummary>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn api_key_list(
    State(app): State<App>,
    Caller(who): Caller,
    Path(tenant): Path<TenantId>,
) -> Result<axum::Json<Vec<ApiKeySummary>>, Error> {
    keys::api_key_list(app.db(), &who, tenant)
        .await
        .map(axum::Json)
}

/// Revoke an API key (admin or tenant-admin)
///
/// The key can no longer be exchanged for tokens, and the tokens already issued for it are
/// refused from now on by this server and within `key_revocation_delay` (5 s by default) by
/// every other replica. Revoking is final.
#[utoipa::path(
    post,
    path = "/v1/tenants/{id}/api-keys/{key_id}/revoke",
    operation_id = "api_key_revoke",
    tag = "api-keys",
    params(
        ("id" = Uuid, Path, description = "The tenant's id"),
        ("key_id" = Uuid, Path, description = "The key's id"),
    ),
    responses(
        (status = 200, description = "The key, now revoked", body = ApiKeySummary),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = AlreadyRevoked),
        (status = 503, response = Unavailable),
    )
)]
async fn api_key_revoke(
    State(app): State<App>,
    Caller(who): Caller,
    Path((tenant, key_id)): Path<(TenantId, ApiKeyId)>,
    _: NoBody,
) -> Result<axum::Json<ApiKeySummary>, Error> {
    let revoked = keys::api_key_revoke(app.db(), &who, tenant, key_id).await?;
    app.revocations().revoked(key_id);
    Ok(axum::Json(revoked))
}

/// List the admin keys (admin)
///
/// Every admin key, revoked ones too, oldest first. Admin keys belong to no tenant; the
/// server's command line creates them (`slicebroker-server admin create-key`).
#[utoipa::path(
    get,
    path = "/v1/admin-keys",
    operation_id = "admin_key_list",
    tag = "api-keys",
    responses(
        (status = 200, description = "The admin keys", body = Vec<ApiKeySummary>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
async fn admin_key_list(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
) -> Result<axum::Json<Vec<ApiKeySummary>>, Error> {
    keys::admin_key_list(app.db(), &who).await.map(axum::Json)
}

/// Revoke an admin key (admin)
///
/// A leaked key, or the bootstrap key once another admin key exists. As for a tenant's key,
/// its tokens are refused from now on (on other replicas within `key_revocation_delay`).
/// The last admin key is not revoked (`409 conflict`): create another first.
#[utoipa::path(
    post,
    path = "/v1/admin-keys/{key_id}/revoke",
    operation_id = "admin_key_revoke",
    tag = "api-keys",
    params(("key_id" = Uuid, Path, description = "The admin key's id")),
    responses(
        (status = 200, description = "The key, now revoked", body = ApiKeySummary),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = RevokeConflict),
        (status = 503, response = Unavailable),
    )
)]
async fn admin_key_revoke(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
    Path(key_id): Path<ApiKeyId>,
    _: NoBody,
) -> Result<axum::Json<ApiKeySummary>, Error> {
    let revoked = keys::admin_key_revoke(app.db(), &who, key_id).await?;
    app.revocations().revoked(key_id);
    Ok(axum::Json(revoked))
}
