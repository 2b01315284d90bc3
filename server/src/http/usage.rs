//! `/v1/usage`: slice-hours per tenant, profile and day.

use super::auth::Caller;
use super::query::Query;
use crate::app::{App, Error, usage};
use crate::store::usage::UsageRow;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

pub fn routes() -> Router<App> {
    Router::new().route("/v1/usage", get(usage_show))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct UsageQuery {
    /// Start of the period (RFC 3339).
    pub from: DateTime<Utc>,
    /// End of the period (RFC 3339), after `from`.
    pub to: DateTime<Utc>,
    /// Admins: only this tenant.
    pub tenant_id: Option<Uuid>,
}

async fn usage_show(
    State(app): State<App>,
    Caller(who): Caller,
    Query(q): Query<UsageQuery>,
) -> Result<Json<Vec<UsageRow>>, Error> {
    usage::usage_report(&app, &who, q.tenant_id, q.from, q.to)
        .await
        .map(Json)
}
