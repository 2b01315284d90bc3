//! `/v1/leases`: create, list, show, extend, release, revoke (admin), events.

use super::auth::{Caller, CallerWith, LeaseWriter};
use super::json::Json;
use super::json::NoBody;
use super::path::Path;
use super::query::Query;
use crate::app::leases::{self, Created, LeaseCreate, LeaseExtend};
use crate::app::{App, Error};
use crate::http::problem::{
    BadRequest, ExtendConflict, Forbidden, IdempotencyConflict, IllegalTransition, InvalidInput,
    NoCapacity, NotFound, PolicyOrQuota, Unauthenticated, Unavailable,
};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use slicebroker_types::api::{EndReason, Lease, LeaseEvent, LeaseState};
use slicebroker_types::{LeaseId, TenantId};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(lease_list, lease_create))
        .routes(routes!(lease_show))
        .routes(routes!(lease_extend))
        .routes(routes!(lease_release))
        .routes(routes!(lease_revoke))
        .routes(routes!(lease_events))
}

/// Lease MIG slices
///
/// Asks for `count` slices (default 1) of one shape for `duration`, granted all or nothing
/// within the tenant's quota and policy. Give either `profile` (a profile name such as
/// `2g.20gb`, or a compute size such as `3g`) or `min_memory_gib` (the smallest plain profile
/// with that much memory); `gpu_models` narrows the GPU models. Needs a `member` or
/// `tenant-admin` key of the tenant (admin keys belong to no tenant).
///
/// - `201`: granted now; the lease is `provisioning` and becomes `active` once the host's
///   agent has made the MIG devices. Poll `lease_show` until `active`, then use each slice's
///   `cuda_visible_devices`.
/// - `202`: nothing fits yet and the request asked to `wait`: the lease is `pending` and is
///   granted when capacity frees up.
/// - `200`: a retry with an `Idempotency-Key` seen before; the lease from the first request.
///
/// When nothing fits and `wait` is false, the answer is `503 no_capacity` with what is free
/// now and when a matching slice frees up.
///
/// **Booking ahead.** With `start` (RFC 3339, later than now and at most 30 days ahead), the
/// slices are booked for `[start, start + duration)`: the answer is `201` with the lease
/// `booked`, its placement chosen now and guaranteed by the database (no other lease, on any
/// replica, can hold those memory slices during that window). `granted_at` is the start and
/// `ends_at` the end; the paid time runs from the start. The lease goes `provisioning` a short
/// lead before its start (event `starting`), then `active` as usual. Releasing it before then
/// cancels it (`ended`, reason `cancelled`). A lease wanted now is placed only where it is free
/// for its whole duration, so bookings are never run into. If nothing is free for the window
/// the answer is `503 no_capacity`. The quota holds at every instant: a request (booked or
/// wanted now) is refused with `422 quota_exceeded` if at some instant of its window the
/// tenant's running leases and bookings together with it would pass a limit; the problem names
/// the limit and the first such instant, so bookings in disjoint windows may each use the whole
/// quota. The monthly budget is charged when booked, to each month the window falls in, and
/// refunded on cancel. Admins (whose keys belong to no tenant) book for a tenant with `tenant_id`
/// (others may give only their own tenant's id);
/// its policy, quota and budget apply (`400` naming `tenant_id` if there is no such tenant).
#[utoipa::path(
    post,
    path = "/v1/leases",
    operation_id = "lease_create",
    tag = "leases",
    params(
        ("Idempotency-Key" = Option<String>, Header,
            description = "Makes retries safe: a repeat with the same key and request returns the first request's lease (`200`) instead of a new one; with a different request it is `409 idempotency_key_reused`. 1-200 visible ASCII characters, scoped to the tenant; use a fresh random one (a UUID) per intended lease."),
    ),
    request_body(content = LeaseCreate, examples(
        ("profile" = (summary = "A named profile", value = json!({
            "profile": "2g.20gb", "duration": "8h", "labels": {"team": "vision"}
        }))),
        ("need" = (summary = "The smallest profile with enough memory, queued if nothing fits", value = json!({
            "min_memory_gib": 20, "duration": "PT2H", "count": 2, "wait": true
        }))),
    )),
    responses(
        (status = 200, description = "An earlier request with this `Idempotency-Key` made this lease", body = Lease),
        (status = 201, description = "Granted: `provisioning`; or booked ahead (`start`): `booked`", body = Lease),
        (status = 202, description = "Queued (`wait: true`): `pending`", body = Lease),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 409, response = IdempotencyConflict),
        (status = 422, response = PolicyOrQuota),
        (status = 503, response = NoCapacity),
    )
)]
async fn lease_create(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<LeaseWriter>,
    headers: HeaderMap,
    Json(req): Json<LeaseCreate>,
) -> Result<(StatusCode, axum::Json<Lease>), Error> {
    let key = match headers.get("idempotency-key") {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| Error::invalid("Idempotency-Key", "must be visible ASCII"))?,
        ),
        None => None,
    };
    Ok(match leases::lease_create(&app, &who, req, key).await? {
        Created::New(lease) => (StatusCode::CREATED, axum::Json(lease)),
        Created::Queued(lease) => (StatusCode::ACCEPTED, axum::Json(lease)),
        Created::Booked(lease) => (StatusCode::CREATED, axum::Json(lease)),
        Created::Replayed(lease) => (StatusCode::OK, axum::Json(lease)),
    })
}

/// Query of `GET /v1/leases`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LeaseListQuery {
    /// Only leases in this state.
    pub state: Option<LeaseState>,
    /// Only leases carrying this label, as `key=value`.
    pub label: Option<String>,
    /// Admins: only this tenant's leases (one that does not exist is `404`). Others may name
    /// only their own tenant (another is `404`).
    #[param(value_type = Option<Uuid>)]
    pub tenant_id: Option<TenantId>,
    /// The `next_cursor` of the previous page.
    #[param(value_type = Option<Uuid>)]
    pub cursor: Option<LeaseId>,
    /// Page size, 1-500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

use slicebroker_types::api::LeasePage;

/// List leases
///
/// The caller's tenant's leases (admins: every tenant's, or `tenant_id`'s), oldest first, a
/// page at a time: while `next_cursor` is present, pass it as `cursor` for the next page.
#[utoipa::path(
    get,
    path = "/v1/leases",
    operation_id = "lease_list",
    tag = "leases",
    params(LeaseListQuery),
    responses(
        (status = 200, description = "A page of leases", body = LeasePage),
        (status = 400, response = InvalidInput),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn lease_list(
    State(app): State<App>,
    Caller(who): Caller,
    Query(q): Query<LeaseListQuery>,
) -> Result<axum::Json<LeasePage>, Error> {
    let query = leases::ListQuery {
        state: q.state,
        label: q.label,
        tenant: q.tenant_id,
        cursor: q.cursor,
        limit: q.limit,
    };
    leases::lease_list(&app, &who, query).await.map(axum::Json)
}

/// Show a lease
///
/// Its state, times and slices. Once `active`, each slice carries its `mig_device_uuid` and the
/// `cuda_visible_devices` value to run a workload on it. Only this view fills in `usage` (what
/// it really used) and `health` (its GPUs' readings and the XIDs that hit its instances).
#[utoipa::path(
    get,
    path = "/v1/leases/{id}",
    operation_id = "lease_show",
    tag = "leases",
    params(("id" = Uuid, Path, description = "The lease's id")),
    responses(
        (status = 200, description = "The lease", body = Lease),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn lease_show(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<LeaseId>,
) -> Result<axum::Json<Lease>, Error> {
    leases::lease_show(&app, &who, id).await.map(axum::Json)
}

/// Extend a lease
///
/// Moves `ends_at` later by `by`. Only `provisioning` and `active` leases can be extended, and
/// all extensions of one lease together may add at most the tenant's
/// `max_total_extension_seconds`. A lease cannot run into a booking of its slices: an extension
/// past the start of one is `409 booked_after`, whose `detail` says until when the lease can be
/// extended. The added time is held to the quota at every instant, beside the tenant's
/// bookings then (`422 quota_exceeded` names the limit and the instant), and charged to the
/// monthly budget of each month it falls in. Viewers cannot extend.
#[utoipa::path(
    post,
    path = "/v1/leases/{id}/extend",
    operation_id = "lease_extend",
    tag = "leases",
    params(("id" = Uuid, Path, description = "The lease's id")),
    request_body(content = LeaseExtend, example = json!({"by": "2h"})),
    responses(
        (status = 200, description = "The lease with its new `ends_at`", body = Lease),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = ExtendConflict),
        (status = 422, response = PolicyOrQuota),
        (status = 503, response = Unavailable),
    )
)]
async fn lease_extend(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<LeaseWriter>,
    Path(id): Path<LeaseId>,
    Json(req): Json<LeaseExtend>,
) -> Result<axum::Json<Lease>, Error> {
    leases::lease_extend(&app, &who, id, req)
        .await
        .map(axum::Json)
}

/// Release a lease
///
/// Gives the slices back before the lease ends. A `pending` lease, or a `booked` one before
/// its start, is cancelled (`ended`, reason `cancelled`) and its slices free at once; a
/// granted one goes to `releasing` while its host's agent tears the MIG devices down, then
/// `ended`. Stop using the devices first. Viewers cannot release.
#[utoipa::path(
    post,
    path = "/v1/leases/{id}/release",
    operation_id = "lease_release",
    tag = "leases",
    params(("id" = Uuid, Path, description = "The lease's id")),
    responses(
        (status = 200, description = "The lease, `releasing` or `ended`", body = Lease),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = IllegalTransition),
        (status = 503, response = Unavailable),
    )
)]
async fn lease_release(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<LeaseId>,
    _: NoBody,
) -> Result<axum::Json<Lease>, Error> {
    leases::lease_end(&app, &who, id, EndReason::Released)
        .await
        .map(axum::Json)
}

/// Revoke a lease (admin)
///
/// Like `lease_release`, on any tenant's lease, recorded with `end_reason: revoked`.
#[utoipa::path(
    post,
    path = "/v1/leases/{id}/revoke",
    operation_id = "lease_revoke",
    tag = "leases",
    params(("id" = Uuid, Path, description = "The lease's id")),
    responses(
        (status = 200, description = "The lease, `releasing` or `ended`", body = Lease),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = IllegalTransition),
        (status = 503, response = Unavailable),
    )
)]
async fn lease_revoke(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<LeaseId>,
    _: NoBody,
) -> Result<axum::Json<Lease>, Error> {
    leases::lease_end(&app, &who, id, EndReason::Revoked)
        .await
        .map(axum::Json)
}

/// A lease's history
///
/// Every state change and extension of the lease, oldest first, with who did it.
#[utoipa::path(
    get,
    path = "/v1/leases/{id}/events",
    operation_id = "lease_events",
    tag = "leases",
    params(("id" = Uuid, Path, description = "The lease's id")),
    responses(
        (status = 200, description = "Events, oldest first", body = Vec<LeaseEvent>),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn lease_events(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<LeaseId>,
) -> Result<axum::Json<Vec<LeaseEvent>>, Error> {
    leases::lease_events(&app, &who, id).await.map(axum::Json)
}
