//! `/v1/gpus`, `/v1/hosts`, `/v1/capacity` (and its calendar) and admin cordoning.

use super::auth::Caller;
use super::json::NoBody;
use super::path::Path;
use super::query::Query;
use crate::app::calendar::{self, CalendarQuery};
use crate::app::fleet::{self, Capacity, Gpu, Target};
use crate::app::{App, Error};
use crate::http::problem::{
    Forbidden, HostInUse, InvalidInput, NotFound, Unauthenticated, Unavailable,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use slicebroker_types::api::CapacityCalendar;
use slicebroker_types::api::Host;
use slicebroker_types::{GpuId, HostId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(gpu_list))
        .routes(routes!(host_list))
        .routes(routes!(capacity_show))
        .routes(routes!(capacity_calendar_show))
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
/// all), tenant ids to admins only. `health` is what its agent last reported of its
/// temperature, power, ECC counts and throttling, with its last 10 XIDs (the leases they hit
/// named as lease ids are).
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

/// Query of `GET /v1/capacity/calendar`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarParams {
    /// The profile to book, by name (`3g.40gb`).
    pub profile: String,
    /// Start of the calendar, RFC 3339 (default and at the earliest: now).
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// End of the calendar, RFC 3339: after `from`, at most 31 days after it (default 7 days).
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// How long a booking would be (`8h`, `PT8H` or seconds, at most 366 days): the answer
    /// then gives the earliest start at which it fits.
    pub duration: Option<String>,
}

/// When a profile can be booked
///
/// For each GPU model that has `profile`: the time from `from` to `to` cut into intervals, each
/// with how many instances could be booked throughout it (each GPU counted on its own, as in
/// `capacity_show`), from the bookings and running leases the server knows. With `duration`,
/// also the earliest start at which one instance is free for that long. A guide that reserves
/// nothing: book with `lease_create` and `start`.
#[utoipa::path(
    get,
    path = "/v1/capacity/calendar",
    operation_id = "capacity_calendar_show",
    tag = "fleet",
    params(CalendarParams),
    responses(
        (status = 200, description = "Per GPU model, when the profile can be booked", body = Vec<CapacityCalendar>),
        (status = 400, response = InvalidInput),
        (status = 401, response = Unauthenticated),
    )
)]
async fn capacity_calendar_show(
    State(app): State<App>,
    Caller(_): Caller,
    Query(q): Query<CalendarParams>,
) -> Result<Json<Vec<CapacityCalendar>>, Error> {
    let duration = q
        .duration
        .as_deref()
        .map(|d| {
            slicebroker_types::duration::parse_seconds(d)
                .map_err(|reason| Error::invalid("duration", reason))
        })
        .transpose()?;
    calendar::capacity_calendar(
        &app,
        CalendarQuery {
            profile: q.profile,
            from: q.from,
            to: q.to,
            duration,
        },
    )
    .map(Json)
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
    _: NoBody,
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
    _: NoBody,
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
    _: NoBody,
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
    _: NoBody,
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
