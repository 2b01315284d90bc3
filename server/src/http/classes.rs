//! `/v1/classes`: slice classes. Admins define them; every caller lists those it may use.

use super::auth::{AdminRole, Caller, CallerWith};
use super::json::Json;
use super::path::Path;
use crate::app::{App, Error, classes};
use crate::http::problem::{
    BadRequest, Conflict, Forbidden, NotFound, Unauthenticated, Unavailable,
};
use axum::extract::State;
use axum::http::StatusCode;
use slicebroker_types::api::{AuditRecord, SliceClass, SliceClassPatch, SliceClassSpec};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(class_list))
        .routes(routes!(class_create, class_update, class_delete))
        .routes(routes!(class_audit))
}

/// List slice classes
///
/// The classes the caller's tenant may use (admins: every class), by name. Name one as
/// `class` in `lease_create` instead of a raw profile.
#[utoipa::path(
    get,
    path = "/v1/classes",
    operation_id = "class_list",
    tag = "classes",
    responses(
        (status = 200, description = "The classes", body = Vec<SliceClass>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
async fn class_list(
    State(app): State<App>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<SliceClass>>, Error> {
    classes::class_list(app.db(), &who).await.map(axum::Json)
}

/// Create a slice class (admin)
///
/// A named shape (`notebook`, `full-gpu`): what it gives (a profile per GPU model and/or a
/// need in memory and compute), its default and longest duration, idle timeout and queue
/// priority, and which tenants may use it. Audited (`class_audit`).
#[utoipa::path(
    post,
    path = "/v1/classes/{name}",
    operation_id = "class_create",
    tag = "classes",
    params(("name" = String, Path, description = "The class's name: 1-63 characters of a-z, 0-9 and `-`, not starting with `-`")),
    request_body = SliceClassSpec,
    responses(
        (status = 201, description = "Created", body = SliceClass),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 503, response = Unavailable),
    )
)]
async fn class_create(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
    Path(name): Path<String>,
    Json(spec): Json<SliceClassSpec>,
) -> Result<(StatusCode, axum::Json<SliceClass>), Error> {
    let c = classes::class_create(app.db(), &who, &name, spec).await?;
    Ok((StatusCode::CREATED, axum::Json(c)))
}

/// Change a slice class (admin)
///
/// Fields left out keep their values. Leases already made from the class keep their terms.
/// Audited with before and after.
#[utoipa::path(
    patch,
    path = "/v1/classes/{name}",
    operation_id = "class_update",
    tag = "classes",
    params(("name" = String, Path, description = "The class's name")),
    request_body = SliceClassPatch,
    responses(
        (status = 200, description = "The class as changed", body = SliceClass),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn class_update(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
    Path(name): Path<String>,
    Json(patch): Json<SliceClassPatch>,
) -> Result<axum::Json<SliceClass>, Error> {
    classes::class_update(app.db(), &who, &name, patch)
        .await
        .map(axum::Json)
}

/// Delete a slice class (admin)
///
/// Leases made from it keep its name and their terms. Audited.
#[utoipa::path(
    delete,
    path = "/v1/classes/{name}",
    operation_id = "class_delete",
    tag = "classes",
    params(("name" = String, Path, description = "The class's name")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn class_delete(
    State(app): State<App>,
    Caller(who): Caller,
    Path(name): Path<String>,
) -> Result<StatusCode, Error> {
    classes::class_delete(app.db(), &who, &name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A slice class's audit trail (admin)
///
/// Every change to the class (create, update, delete), oldest first, with the acting key and
/// the class before and after.
#[utoipa::path(
    get,
    path = "/v1/classes/{name}/audit",
    operation_id = "class_audit",
    tag = "classes",
    params(("name" = String, Path, description = "The class's name")),
    responses(
        (status = 200, description = "Audit entries, oldest first", body = Vec<AuditRecord>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn class_audit(
    State(app): State<App>,
    Caller(who): Caller,
    Path(name): Path<String>,
) -> Result<axum::Json<Vec<AuditRecord>>, Error> {
    classes::class_audit(app.db(), &who, &name)
        .await
        .map(axum::Json)
}
