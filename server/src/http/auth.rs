//! Authentication: the bearer-token extractor, `POST /v1/auth/token` and the JWKS document.

use crate::app::auth::{IssuedToken, Principal};
use crate::app::{App, Error};
use crate::http::json::Json;
use axum::Router;
use axum::extract::{FromRequestParts, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::routing::{get, post};
use serde::Deserialize;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/v1/auth/token", post(token_create))
        .route("/.well-known/jwks.json", get(jwks_show))
}

/// An API key to exchange for a token.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    pub api_key: String,
}

async fn token_create(
    State(app): State<App>,
    Json(req): Json<TokenCreate>,
) -> Result<axum::Json<IssuedToken>, Error> {
    crate::app::auth::token_create(app.db(), app.signer(), &req.api_key)
        .await
        .map(axum::Json)
}

async fn jwks_show(State(app): State<App>) -> axum::Json<jsonwebtoken::jwk::JwkSet> {
    axum::Json(app.signer().jwks().clone())
}

/// The caller, from `Authorization: Bearer <jwt>`.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl FromRequestParts<App> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers)?.ok_or(Error::Unauthenticated(
            "an `Authorization: Bearer` token is required",
        ))?;
        app.signer().verify(token).map(Caller)
    }
}

/// The bearer token of the request, if it has an `Authorization` header.
pub fn bearer(headers: &HeaderMap) -> Result<Option<&str>, Error> {
    let Some(header) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    header
        .to_str()
        .ok()
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(Some)
        .ok_or(Error::Unauthenticated(
            "the Authorization header must be `Bearer <token>`",
        ))
}
