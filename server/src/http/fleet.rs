//! `/v1/gpus`, `/v1/hosts`, `/v1/capacity` and admin cordoning.

use super::auth::Caller;
use super::path::Path;
use crate::app::fleet::{self, Capacity, Gpu, Target};
use crate::app::{App, Error};
use crate::http::problem::{Forbidden, HostInUse, NotFound, Unauthenticated, Unavailable};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use slicebroker_types::api::Host;
use slicebroker_types::{GpuId, HostId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(gpu_list))
        .routes(routes!(host_list))
        .routes(routes!(capacity_show))
        .routes(routes!(gpu_cordon))
        .routes(routes!(gpu_uncordon))
        .routes(routes!(host_cordon))
        .routes(routes!(host_uncordon))
        .routes(routes!(host_delete))
}

/// List GPUs
///
/// Every GPU with its MIG layout: `layout` draws the memory slices (`.` free, `#` taken) and
/// `slices` lists what holds them. Lease ids show for the caller's own tenant's slices (admins:
/// all), tenant ids to admins only.
#[utoipa::path(
    get,
    path = "/v1/gpus",
    operation_id = "gpu_list",
    tag = "fleet",
    responses(
        (status = 200, description = "GPUs", body = Vec<Gpu>),
        (status = 401, response = Unauthenticated),
        (status = 503, response = Unavailable),
    )
)]
async fn gpu_list(State(app): State<App>, Caller(who): Caller) -> Result<Json<Vec<Gpu>>, Error> {
    fleet::gpu_list(&app, &who).await.map(Json)
}

/// List hosts
///
/// Every GPU host, by name, with whether new leases may be placed on it.
#[utoipa::path(
    get,
    path = "/v1/hosts",
    operation_id = "host_list",
    tag = "fleet",
    responses(
        (status = 200, description = "Hosts", body = Vec<Host>),
        (status = 401, response = Unauthenticated),
        (status = 503, response = Unavailable),
    )
)]
async fn host_list(State(app): State<App>, Caller(_): Caller) -> Result<Json<Vec<Host>>, Error> {
    fleet::host_list(&app).await.map(Json)
}

/// Free capacity
///
/// For each GPU model and profile: how many more instances could be granted right now, each
/// counted on its own (two `3g.40gb` may not fit where one does). A quick check before
/// `lease_create`; it reserves nothing.
#[utoipa::path(
    get,
    path = "/v1/capacity",
    operation_id = "capacity_show",
    tag = "fleet",
    responses(
        (status = 200, description = "Free capacity per model and profile", body = Vec<Capacity>),
        (status = 401, response = Unauthenticated),
    )
)]
async fn capacity_show(State(app): State<App>, Caller(_): Caller) -> Json<Vec<Capacity>> {
    Json(fleet::capacity(&app))
}

/// Cordon a GPU (admin)
///
/// Nothing new is placed on the GPU; leases on it stay until they end. Undo with
/// `gpu_uncordon`.
#[utoipa::path(
    post,
    path = "/v1/gpus/{id}/cordon",
    operation_id = "gpu_cordon",
    tag = "fleet",
    params(("id" = Uuid, Path, description = "The GPU's id")),
    responses(
        (status = 204, description = "Done (also when it already was)"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn gpu_cordon(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<GpuId>,
) -> Result<StatusCode, Error> {
    fleet::set_schedulable(&app, &who, Target::Gpu(id), false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Uncordon a GPU (admin)
///
/// New leases may be placed on the GPU again (unless its host is cordoned).
#[utoipa::path(
    post,
    path = "/v1/gpus/{id}/uncordon",
    operation_id = "gpu_uncordon",
    tag = "fleet",
    params(("id" = Uuid, Path, description = "The GPU's id")),
    responses(
        (status = 204, description = "Done (also when it already was)"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn gpu_uncordon(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<GpuId>,
) -> Result<StatusCode, Error> {
    fleet::set_schedulable(&app, &who, Target::Gpu(id), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Cordon a host (admin)
///
/// Nothing new is placed on any of the host's GPUs, for maintenance or draining; leases on it
/// stay until they end. Undo with `host_uncordon`.
#[utoipa::path(
    post,
    path = "/v1/hosts/{id}/cordon",
    operation_id = "host_cordon",
    tag = "fleet",
    params(("id" = Uuid, Path, description = "The host's id")),
    responses(
        (status = 204, description = "Done (also when it already was)"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn host_cordon(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<HostId>,
) -> Result<StatusCode, Error> {
    fleet::set_schedulable(&app, &who, Target::Host(id), false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Uncordon a host (admin)
///
/// New leases may be placed on the host's GPUs again.
#[utoipa::path(
    post,
    path = "/v1/hosts/{id}/uncordon",
    operation_id = "host_uncordon",
    tag = "fleet",
    params(("id" = Uuid, Path, description = "The host's id")),
    responses(
        (status = 204, description = "Done (also when it already was)"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn host_uncordon(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<HostId>,
) -> Result<StatusCode, Error> {
    fleet::set_schedulable(&app, &who, Target::Host(id), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a host (admin)
///
/// For a host taken out of the fleet for good. Drain it first: cordon it (`host_cordon`),
/// release or revoke its leases, and let its agent destroy their slices; until then the answer
/// is `409 host_in_use`. The host is then no longer listed or placed on, and its agent's
/// credential stops working (stop the agent). Its leases' history stays. An agent that enrolls
/// again under the same name brings the host back.
#[utoipa::path(
    delete,
    path = "/v1/hosts/{id}",
    operation_id = "host_delete",
    tag = "fleet",
    params(("id" = Uuid, Path, description = "The host's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = HostInUse),
        (status = 503, response = Unavailable),
    )
)]
async fn host_delete(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<HostId>,
) -> Result<StatusCode, Error> {
    fleet::host_delete(&app, &who, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
