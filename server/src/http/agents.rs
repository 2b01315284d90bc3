//! The agent protocol (DESIGN.md §7): `/v1/agent/*` for agents, with their host-scoped
//! credential, and `/v1/enrollment-tokens` for admins, who enroll new hosts.

use super::auth::{AdminRole, Caller, CallerWith, bearer};
use super::json::Json;
use super::query::Query;
use crate::app::agents::{self, AgentPrincipal, EnrollmentCreate, IssuedEnrollment};
use crate::app::{App, Error, observe};
use crate::http::problem::{
    BadRequest, Conflict, Forbidden, InvalidInput, Unauthenticated, Unavailable,
};
use axum::extract::{FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::Deserialize;
use slicebroker_types::agent::{
    AgentRegister, AgentRegistration, DesiredConfig, ObservedReport, ReportAck,
};
use slicebroker_types::api::EnrollmentToken;
use std::time::Duration;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(enrollment_token_list, enrollment_token_create))
        .routes(routes!(agent_register))
        .routes(routes!(agent_desired_show))
        .routes(routes!(agent_observed_report))
}

/// Create an agent enrollment token (admin)
///
/// A one-time, expiring token that enrolls one GPU host: give it to the host's agent
/// (`--enrollment-token`), which registers with it and receives its own host-scoped credential.
/// The token is shown only in this answer.
#[utoipa::path(
    post,
    path = "/v1/enrollment-tokens",
    operation_id = "enrollment_token_create",
    tag = "agents",
    request_body = EnrollmentCreate,
    responses(
        (status = 201, description = "The token, shown once", body = IssuedEnrollment),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
async fn enrollment_token_create(
    State(app): State<App>,
    CallerWith(who, _): CallerWith<AdminRole>,
    Json(req): Json<EnrollmentCreate>,
) -> Result<(StatusCode, axum::Json<IssuedEnrollment>), Error> {
    let issued = agents::enrollment_create(&app, &who, req).await?;
    Ok((StatusCode::CREATED, axum::Json(issued)))
}

/// List enrollment tokens (admin)
///
/// Every token with when it expires and which host used it; never the secret.
#[utoipa::path(
    get,
    path = "/v1/enrollment-tokens",
    operation_id = "enrollment_token_list",
    tag = "agents",
    responses(
        (status = 200, description = "Newest first", body = Vec<EnrollmentToken>),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = Unavailable),
    )
)]
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

/// Register a GPU host (agents)
///
/// A new agent sends its one-time `enrollment_token` and gets its host-scoped `credential`;
/// an enrolled agent sends `Authorization: Bearer <credential>` instead and refreshes the host's
/// facts and GPUs. Each GPU's own MIG profile table is compared with the catalog: where they
/// differ the GPU's table wins, and a GPU whose placements differ is not placed on.
///
/// `409 conflict`: an enrollment under the name of a host whose agent was heard from within
/// `host_unreachable_after` (another machine with the same name: it would take the host and
/// its leases over), or a GPU that another host still reports or holds slices on.
#[utoipa::path(
    post,
    path = "/v1/agent/register",
    operation_id = "agent_register",
    tag = "agents",
    security((), ("agentAuth" = [])),
    request_body = AgentRegister,
    responses(
        (status = 200, description = "The host, and its credential after an enrollment token", body = AgentRegistration),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 503, response = Unavailable),
    )
)]
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
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DesiredQuery {
    /// The generation the agent holds; the answer waits until the host's is newer.
    #[serde(default)]
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub after: u64,
    /// Seconds to wait for a newer generation (default 0, at most 60). The server waits no
    /// longer than its request timeout nor half of its `host_unreachable_after` (the answer is
    /// the host's heartbeat).
    #[serde(default)]
    #[param(minimum = 0, maximum = 60)]
    pub wait: u64,
}

/// The host's desired config (agents, long-poll)
///
/// The slices each GPU of the calling agent's host should have, with the lease each serves.
/// Answers at once when the host's generation is newer than `after`, otherwise when it moves
/// (on any server replica) or after `wait` seconds, with the current config.
#[utoipa::path(
    get,
    path = "/v1/agent/desired",
    operation_id = "agent_desired_show",
    tag = "agents",
    security(("agentAuth" = [])),
    params(DesiredQuery),
    responses(
        (status = 200, description = "The desired config", body = DesiredConfig),
        (status = 400, response = InvalidInput),
        (status = 401, response = Unauthenticated),
        (status = 503, response = Unavailable),
    )
)]
async fn agent_desired_show(
    State(app): State<App>,
    AgentCaller(host): AgentCaller,
    Query(q): Query<DesiredQuery>,
) -> Result<axum::Json<DesiredConfig>, Error> {
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

/// Report what the host's GPUs hold (agents)
///
/// The instances, processes, memory and activity the agent saw after applying
/// `applied_generation`, and what it could not do. Moves leases `provisioning → active` once
/// their instances exist, `releasing → ended` once they are gone, and to `failed` when
/// creating them failed. A report older than one already accepted is ignored. Doubles as the
/// host's heartbeat.
#[utoipa::path(
    post,
    path = "/v1/agent/observed",
    operation_id = "agent_observed_report",
    tag = "agents",
    security(("agentAuth" = [])),
    request_body = ObservedReport,
    responses(
        (status = 200, description = "Whether the report was accepted", body = ReportAck),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = Unavailable),
    )
)]
async fn agent_observed_report(
    State(app): State<App>,
    AgentCaller(host): AgentCaller,
    Json(report): Json<ObservedReport>,
) -> Result<axum::Json<ReportAck>, Error> {
    observe::observe(&app, &host, report).await.map(axum::Json)
}
