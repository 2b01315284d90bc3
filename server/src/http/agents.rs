//! The agent protocol (DESIGN.md §7): `/v1/agent/*` for agents, with their host-scoped
//! credential, and `/v1/enrollment-tokens` for admins, who enroll new hosts.

use super::auth::{Caller, bearer};
use super::json::Json;
use crate::app::agents::{self, AgentPrincipal, EnrollmentCreate, IssuedEnrollment};
use crate::app::{App, Error, observe};
use crate::store::agents::EnrollmentToken;
use axum::Router;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::routing::{get, post};
use serde::Deserialize;
use slicebroker_types::agent::{
    AgentRegister, AgentRegistration, DesiredConfig, ObservedReport, ReportAck,
};
use std::time::Duration;

pub fn routes() -> Router<App> {
    Router::new()
        .route(
            "/v1/enrollment-tokens",
            get(enrollment_token_list).post(enrollment_token_create),
        )
        .route("/v1/agent/register", post(agent_register))
        .route("/v1/agent/desired", get(agent_desired_show))
        .route("/v1/agent/observed", post(agent_observed_report))
}

async fn enrollment_token_create(
    State(app): State<App>,
    Caller(who): Caller,
    Json(req): Json<EnrollmentCreate>,
) -> Result<(StatusCode, axum::Json<IssuedEnrollment>), Error> {
    let issued = agents::enrollment_create(&app, &who, req).await?;
    Ok((StatusCode::CREATED, axum::Json(issued)))
}

async fn enrollment_token_list(
    State(app): State<App>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<EnrollmentToken>>, Error> {
    agents::enrollment_list(&app, &who).await.map(axum::Json)
}

/// The agent calling, from `Authorization: Bearer <agent credential>`.
#[derive(Debug, Clone)]
pub struct AgentCaller(pub AgentPrincipal);

impl FromRequestParts<App> for AgentCaller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let credential = bearer(&parts.headers)?.ok_or(Error::Unauthenticated(
            "agent endpoints need `Authorization: Bearer <agent credential>`",
        ))?;
        agents::authenticate(app, credential).await.map(AgentCaller)
    }
}

/// Registration takes a credential when the agent has one, else an enrollment token.
impl axum::extract::OptionalFromRequestParts<App> for AgentCaller {
    type Rejection = Error;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &App,
    ) -> Result<Option<Self>, Self::Rejection> {
        match bearer(&parts.headers)? {
            Some(credential) => agents::authenticate(app, credential)
                .await
                .map(|p| Some(AgentCaller(p))),
            None => Ok(None),
        }
    }
}

async fn agent_register(
    State(app): State<App>,
    caller: Option<AgentCaller>,
    Json(req): Json<AgentRegister>,
) -> Result<axum::Json<AgentRegistration>, Error> {
    agents::register(&app, caller.map(|c| c.0), req)
        .await
        .map(axum::Json)
}

/// Query of `GET /v1/agent/desired`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DesiredQuery {
    /// The generation the agent holds; the answer waits until the host's is newer.
    #[serde(default)]
    pub after: u64,
    /// Seconds to wait for a newer generation (default 0, at most 60 and below the server's
    /// request timeout).
    #[serde(default)]
    pub wait: u64,
}

async fn agent_desired_show(
    State(app): State<App>,
    AgentCaller(host): AgentCaller,
    query: Result<Query<DesiredQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<axum::Json<DesiredConfig>, Error> {
    let Query(q) = query.map_err(|e| Error::invalid("query", e.body_text()))?;
    let limit = app
        .config()
        .request_timeout()
        .saturating_sub(Duration::from_secs(1))
        .min(agents::MAX_POLL_WAIT);
    let wait = Duration::from_secs(q.wait);
    if wait > agents::MAX_POLL_WAIT {
        return Err(Error::invalid("wait", "at most 60 seconds"));
    }
    agents::desired(&app, &host, q.after, wait.min(limit))
        .await
        .map(axum::Json)
}

async fn agent_observed_report(
    State(app): State<App>,
    AgentCaller(host): AgentCaller,
    Json(report): Json<ObservedReport>,
) -> Result<axum::Json<ReportAck>, Error> {
    observe::observe(&app, &host, report).await.map(axum::Json)
}
