//! `/v1/tenants/{id}/webhooks` (tenant admins, for their tenant) and `/v1/webhooks` (admins:
//! fleet-wide webhooks, told about every tenant's leases): register (secret shown once), list,
//! show, change, delete, rotate the secret, the delivery history, redeliver. docs/webhooks.md
//! describes what a receiver gets.

use super::auth::{AdminRole, Caller, CallerWith, TenantAdmin};
use super::json::Json;
use super::json::NoBody;
use super::path::Path;
use super::query::Query;
use crate::app::webhooks::{self, Owner};
use crate::app::{App, Error};
use crate::http::problem::{
    BadRequest, Forbidden, InvalidInput, NotFound, Unauthenticated, Unavailable,
};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use slicebroker_types::api::{
    Webhook, WebhookCreate, WebhookCreated, WebhookDelivery, WebhookPatch,
};
use slicebroker_types::{DeliveryId, TenantId, WebhookId, limits};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(webhook_list, webhook_create))
        .routes(routes!(webhook_show, webhook_update, webhook_delete))
        .routes(routes!(webhook_rotate_secret))
        .routes(routes!(webhook_delivery_list))
        .routes(routes!(webhook_redeliver))
        .routes(routes!(fleet_webhook_list, fleet_webhook_create))
        .routes(routes!(
            fleet_webhook_show,
            fleet_webhook_update,
            fleet_webhook_delete
        ))
        .routes(routes!(fleet_webhook_rotate_secret))
        .routes(routes!(fleet_webhook_delivery_list))
        .routes(routes!(fleet_webhook_redeliver))
}

/// Query of the delivery history.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeliveryListQuery {
    /// How many deliveries, newest first: 1-100 (default 50).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Only deliveries older than this one (the last `id` of the previous page): the next
    /// page. One that is not this webhook's is `400`.
    #[param(value_type = Option<Uuid>)]
    pub before: Option<DeliveryId>,
}

fn page(q: &DeliveryListQuery) -> Result<webhooks::DeliveryPage, Error> {
    let n = q.limit.unwrap_or(50);
    if !(1..=limits::MAX_WEBHOOK_DELIVERIES_PAGE).contains(&n) {
        return Err(Error::invalid("limit", "must be between 1 and 100"));
    }
    Ok(webhooks::DeliveryPage {
        limit: n,
        before: q.before,
    })
}

type Created = (StatusCode, axum::Json<WebhookCreated>);

/// Register a webhook for a tenant (admin or tenant-admin)
///
/// `url` must be `http` or `https` (at most 2048 characters) and its host must resolve to
/// public addresses only, unless the server is configured with
/// `webhook_allow_private_targets`; `kinds` lists 1 to 32 distinct event kinds; a tenant has at
/// most 20 webhooks. The answer holds the signing `secret`: the only time it is shown.
#[utoipa::path(
    post,
    path = "/v1/tenants/{id}/webhooks",
    operation_id = "webhook_create",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The tenant's id")),
    request_body = WebhookCreate,
    responses(
        (status = 201, description = "Registered; `secret` is shown this once", body = WebhookCreated),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn webhook_create(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<TenantAdmin>,
    Path(tenant): Path<TenantId>,
    Json(req): Json<WebhookCreate>,
) -> Result<Created, Error> {
    let w = webhooks::webhook_create(&app, &who, Owner::Tenant(tenant), req).await?;
    Ok((StatusCode::CREATED, axum::Json(w)))
}

/// List a tenant's webhooks (admin or tenant-admin)
///
/// Oldest first; secrets are never shown.
#[utoipa::path(
    get,
    path = "/v1/tenants/{id}/webhooks",
    operation_id = "webhook_list",
    tag = "webhooks",
    params(("id" = Uuid, Path, description = "The tenant's id")),
    responses(
        (status = 200, description = "The tenant's webhooks, oldest first", body = Vec<Webhook>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn webhook_list(
    State(app): State<App>,
    Caller(who): Caller,
    Path(tenant): Path<TenantId>,
) -> Result<axum::Json<Vec<Webhook>>, Error> {
    webhooks::webhook_list(&app, &who, Owner::Tenant(tenant))
        .await
        .map(axum::Json)
}

/// Show a tenant's webhook (admin or tenant-admin)
///
/// The webhook without its secret (`webhook_rotate_secret` makes a new one).
#[utoipa::path(
    get,
    path = "/v1/tenants/{id}/webhooks/{webhook_id}",
    operation_id = "webhook_show",
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "The tenant's id"),
        ("webhook_id" = Uuid, Path, description = "The webhook's id"),
    ),
    responses(
        (status = 200, description = "The webhook", body = Webhook),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn webhook_show(
    State(app): State<App>,
    Caller(who): Caller,
    Path((tenant, id)): Path<(TenantId, WebhookId)>,
) -> Result<axum::Json<Webhook>, Error> {
    webhooks::webhook_show(&app, &who, Owner::Tenant(tenant), id)
        .await
        .map(axum::Json)
}

/// Change a tenant's webhook (admin or tenant-admin)
///
/// The fields given replace the current ones, checked as on registration; a patch that
/// changes nothing writes nothing. `enabled: false` pauses it: no new events are queued for
/// it, and deliveries already queued wait (they are not failed); enabled again, those are
/// sent, each with a fresh retry window.
#[utoipa::path(
    patch,
    path = "/v1/tenants/{id}/webhooks/{webhook_id}",
    operation_id = "webhook_update",
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "The tenant's id"),
        ("webhook_id" = Uuid, Path, description = "The webhook's id"),
    ),
    request_body = WebhookPatch,
    responses(
        (status = 200, description = "The webhook as changed", body = Webhook),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn webhook_update(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<TenantAdmin>,
    Path((tenant, id)): Path<(TenantId, WebhookId)>,
    Json(patch): Json<WebhookPatch>,
) -> Result<axum::Json<Webhook>, Error> {
    webhooks::webhook_update(&app, &who, Owner::Tenant(tenant), id, patch)
        .await
        .map(axum::Json)
}

/// Delete a tenant's webhook (admin or tenant-admin)
///
/// Its pending deliveries and its history go with it.
#[utoipa::path(
    delete,
    path = "/v1/tenants/{id}/webhooks/{webhook_id}",
    operation_id = "webhook_delete",
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "The tenant's id"),
        ("webhook_id" = Uuid, Path, description = "The webhook's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn webhook_delete(
    State(app): State<App>,
    Caller(who): Caller,
    Path((tenant, id)): Path<(TenantId, WebhookId)>,
) -> Result<StatusCode, Error> {
    webhooks::webhook_delete(&app, &who, Owner::Tenant(tenant), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rotate a tenant's webhook secret (admin or tenant-admin)
///
/// Deliveries are signed with the new secret from now on; the answer is the only time it is
/// shown.
#[utoipa::path(
    post,
    path = "/v1/tenants/{id}/webhooks/{webhook_id}/rotate-secret",
    operation_id = "webhook_rotate_secret",
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "The tenant's id"),
        ("webhook_id" = Uuid, Path, description = "The webhook's id"),
    ),
    responses(
        (status = 200, description = "The new `secret`, shown this once", body = WebhookCreated),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn webhook_rotate_secret(
    State(app): State<App>,
    Caller(who): Caller,
    Path((tenant, id)): Path<(TenantId, WebhookId)>,
    _: NoBody,
) -> Result<axum::Json<WebhookCreated>, Error> {
    webhooks::webhook_rotate_secret(&app, &who, Owner::Tenant(tenant), id)
        .await
        .map(axum::Json)
}

/// A tenant's webhook's deliveries (admin or tenant-admin)
///
/// Newest first, each with its last 20 attempts: status code (or the error when no answer
/// came) and duration. For the next page, pass the last delivery's `id` as `before`.
#[utoipa::path(
    get,
    path = "/v1/tenants/{id}/webhooks/{webhook_id}/deliveries",
    operation_id = "webhook_delivery_list",
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "The tenant's id"),
        ("webhook_id" = Uuid, Path, description = "The webhook's id"),
        DeliveryListQuery,
    ),
    responses(
        (status = 200, description = "The deliveries, newest first", body = Vec<WebhookDelivery>),
        (status = 400, response = InvalidInput),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn webhook_delivery_list(
    State(app): State<App>,
    Caller(who): Caller,
    Path((tenant, id)): Path<(TenantId, WebhookId)>,
    Query(q): Query<DeliveryListQuery>,
) -> Result<axum::Json<Vec<WebhookDelivery>>, Error> {
    webhooks::delivery_list(&app, &who, Owner::Tenant(tenant), id, page(&q)?)
        .await
        .map(axum::Json)
}

/// Send a delivery again (admin or tenant-admin)
///
/// Whatever its state, the delivery becomes pending, due now, with a fresh retry window (on a
/// disabled webhook, it waits until the webhook is enabled).
#[utoipa::path(
    post,
    path = "/v1/tenants/{id}/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    operation_id = "webhook_redeliver",
    tag = "webhooks",
    params(
        ("id" = Uuid, Path, description = "The tenant's id"),
        ("webhook_id" = Uuid, Path, description = "The webhook's id"),
        ("delivery_id" = Uuid, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 202, description = "Queued"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn webhook_redeliver(
    State(app): State<App>,
    Caller(who): Caller,
    Path((tenant, id, delivery)): Path<(TenantId, WebhookId, DeliveryId)>,
    _: NoBody,
) -> Result<StatusCode, Error> {
    webhooks::delivery_redeliver(&app, &who, Owner::Tenant(tenant), id, delivery).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Register a fleet-wide webhook (admin)
///
/// Told about every tenant's leases. Bounds and the secret as for `webhook_create`; at most 20
/// fleet-wide webhooks.
#[utoipa::path(
    post,
    path = "/v1/webhooks",
    operation_id = "fleet_webhook_create",
    tag = "webhooks",
    request_body = WebhookCreate,
    responses(
        (status = 201, description = "Registered; `secret` is shown this once", body = WebhookCreated),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
async fn fleet_webhook_create(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
    Json(req): Json<WebhookCreate>,
) -> Result<Created, Error> {
    let w = webhooks::webhook_create(&app, &who, Owner::Fleet, req).await?;
    Ok((StatusCode::CREATED, axum::Json(w)))
}

/// List the fleet-wide webhooks (admin)
///
/// Oldest first; secrets are never shown.
#[utoipa::path(
    get,
    path = "/v1/webhooks",
    operation_id = "fleet_webhook_list",
    tag = "webhooks",
    responses(
        (status = 200, description = "The fleet-wide webhooks, oldest first", body = Vec<Webhook>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
async fn fleet_webhook_list(
    State(app): State<App>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<Webhook>>, Error> {
    webhooks::webhook_list(&app, &who, Owner::Fleet)
        .await
        .map(axum::Json)
}

/// Show a fleet-wide webhook (admin)
///
/// The webhook without its secret.
#[utoipa::path(
    get,
    path = "/v1/webhooks/{webhook_id}",
    operation_id = "fleet_webhook_show",
    tag = "webhooks",
    params(("webhook_id" = Uuid, Path, description = "The webhook's id")),
    responses(
        (status = 200, description = "The webhook", body = Webhook),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn fleet_webhook_show(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<WebhookId>,
) -> Result<axum::Json<Webhook>, Error> {
    webhooks::webhook_show(&app, &who, Owner::Fleet, id)
        .await
        .map(axum::Json)
}

/// Change a fleet-wide webhook (admin)
///
/// The fields given replace the current ones, checked as on registration; a patch that
/// changes nothing writes nothing. `enabled: false` pauses it: no new events are queued for
/// it, and deliveries already queued wait (they are not failed); enabled again, those are
/// sent, each with a fresh retry window.
#[utoipa::path(
    patch,
    path = "/v1/webhooks/{webhook_id}",
    operation_id = "fleet_webhook_update",
    tag = "webhooks",
    params(("webhook_id" = Uuid, Path, description = "The webhook's id")),
    request_body = WebhookPatch,
    responses(
        (status = 200, description = "The webhook as changed", body = Webhook),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn fleet_webhook_update(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
    Path(id): Path<WebhookId>,
    Json(patch): Json<WebhookPatch>,
) -> Result<axum::Json<Webhook>, Error> {
    webhooks::webhook_update(&app, &who, Owner::Fleet, id, patch)
        .await
        .map(axum::Json)
}

/// Delete a fleet-wide webhook (admin)
///
/// Its pending deliveries and its history go with it.
#[utoipa::path(
    delete,
    path = "/v1/webhooks/{webhook_id}",
    operation_id = "fleet_webhook_delete",
    tag = "webhooks",
    params(("webhook_id" = Uuid, Path, description = "The webhook's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn fleet_webhook_delete(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<WebhookId>,
) -> Result<StatusCode, Error> {
    webhooks::webhook_delete(&app, &who, Owner::Fleet, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Rotate a fleet-wide webhook's secret (admin)
///
/// Deliveries are signed with the new secret from now on; the answer is the only time it is
/// shown.
#[utoipa::path(
    post,
    path = "/v1/webhooks/{webhook_id}/rotate-secret",
    operation_id = "fleet_webhook_rotate_secret",
    tag = "webhooks",
    params(("webhook_id" = Uuid, Path, description = "The webhook's id")),
    responses(
        (status = 200, description = "The new `secret`, shown this once", body = WebhookCreated),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn fleet_webhook_rotate_secret(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<WebhookId>,
    _: NoBody,
) -> Result<axum::Json<WebhookCreated>, Error> {
    webhooks::webhook_rotate_secret(&app, &who, Owner::Fleet, id)
        .await
        .map(axum::Json)
}

/// A fleet-wide webhook's deliveries (admin)
///
/// Newest first (`limit` 1-100, default 50), each with its last 20 attempts. For the next
/// page, pass the last delivery's `id` as `before`.
#[utoipa::path(
    get,
    path = "/v1/webhooks/{webhook_id}/deliveries",
    operation_id = "fleet_webhook_delivery_list",
    tag = "webhooks",
    params(
        ("webhook_id" = Uuid, Path, description = "The webhook's id"),
        DeliveryListQuery,
    ),
    responses(
        (status = 200, description = "The deliveries, newest first", body = Vec<WebhookDelivery>),
        (status = 400, response = InvalidInput),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn fleet_webhook_delivery_list(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<WebhookId>,
    Query(q): Query<DeliveryListQuery>,
) -> Result<axum::Json<Vec<WebhookDelivery>>, Error> {
    webhooks::delivery_list(&app, &who, Owner::Fleet, id, page(&q)?)
        .await
        .map(axum::Json)
}

/// Send a fleet-wide webhook's delivery again (admin)
///
/// Whatever its state, the delivery becomes pending, due now, with a fresh retry window (on a
/// disabled webhook, it waits until the webhook is enabled).
#[utoipa::path(
    post,
    path = "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    operation_id = "fleet_webhook_redeliver",
    tag = "webhooks",
    params(
        ("webhook_id" = Uuid, Path, description = "The webhook's id"),
        ("delivery_id" = Uuid, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 202, description = "Queued"),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    )
)]
async fn fleet_webhook_redeliver(
    State(app): State<App>,
    Caller(who): Caller,
    Path((id, delivery)): Path<(WebhookId, DeliveryId)>,
    _: NoBody,
) -> Result<StatusCode, Error> {
    webhooks::delivery_redeliver(&app, &who, Owner::Fleet, id, delivery).await?;
    Ok(StatusCode::ACCEPTED)
}
