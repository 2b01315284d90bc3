//! `/v1/leases`: create, list, show, extend, release, revoke (admin), events.

use super::auth::Caller;
use super::json::Json;
use super::path::Path;
use super::query::Query;
use crate::app::leases::{self, LeaseCreate, LeaseExtend};
use crate::app::{App, Error};
use crate::domain::lease::{EndReason, LeaseState};
use crate::domain::lease_view::{Lease, LeaseEvent};
use crate::store::leases::ListFilter;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/v1/leases", get(lease_list).post(lease_create))
        .route("/v1/leases/{id}", get(lease_show))
        .route("/v1/leases/{id}/extend", post(lease_extend))
        .route("/v1/leases/{id}/release", post(lease_release))
        .route("/v1/leases/{id}/revoke", post(lease_revoke))
        .route("/v1/leases/{id}/events", get(lease_events))
}

async fn lease_create(
    State(app): State<App>,
    Caller(who): Caller,
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
    let (lease, created) = leases::lease_create(&app, &who, req, key).await?;
    let status = if !created {
        StatusCode::OK
    } else if lease.state == LeaseState::Pending {
        StatusCode::ACCEPTED
    } else {
        StatusCode::CREATED
    };
    Ok((status, axum::Json(lease)))
}

/// Query of `GET /v1/leases`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LeaseListQuery {
    /// Only leases in this state.
    pub state: Option<String>,
    /// Only leases carrying this label, as `key=value`.
    pub label: Option<String>,
    /// Admins: only this tenant's leases.
    pub tenant_id: Option<Uuid>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<Uuid>,
    /// Page size, 1-500 (default 100).
    pub limit: Option<i64>,
}

/// A page of leases.
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LeasePage {
    pub items: Vec<Lease>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<Uuid>,
}

async fn lease_list(
    State(app): State<App>,
    Caller(who): Caller,
    Query(q): Query<LeaseListQuery>,
) -> Result<axum::Json<LeasePage>, Error> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit", "must be between 1 and 500"));
    }
    let state = q
        .state
        .as_deref()
        .map(str::parse::<LeaseState>)
        .transpose()
        .map_err(|e| Error::invalid("state", e))?;
    let mut labels = BTreeMap::new();
    if let Some(l) = &q.label {
        let (k, v) = l
            .split_once('=')
            .ok_or_else(|| Error::invalid("label", "must be `key=value`"))?;
        labels.insert(k.to_owned(), v.to_owned());
    }
    let items = leases::lease_list(
        &app,
        &who,
        ListFilter {
            tenant: q.tenant_id,
            state,
            labels,
            after: q.cursor,
            limit: limit + 1,
        },
    )
    .await?;
    let mut items = items;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|l| l.id)
    } else {
        None
    };
    Ok(axum::Json(LeasePage { items, next_cursor }))
}

async fn lease_show(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Lease>, Error> {
    leases::lease_show(&app, &who, id).await.map(axum::Json)
}

async fn lease_extend(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<LeaseExtend>,
) -> Result<axum::Json<Lease>, Error> {
    leases::lease_extend(&app, &who, id, req)
        .await
        .map(axum::Json)
}

async fn lease_release(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Lease>, Error> {
    leases::lease_end(&app, &who, id, EndReason::Released)
        .await
        .map(axum::Json)
}

async fn lease_revoke(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Lease>, Error> {
    leases::lease_end(&app, &who, id, EndReason::Revoked)
        .await
        .map(axum::Json)
}

async fn lease_events(
    State(app): State<App>,
    Caller(who): Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<LeaseEvent>>, Error> {
    leases::lease_events(&app, &who, id).await.map(axum::Json)
}
