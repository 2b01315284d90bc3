//! Authentication: the bearer-token extractor, `POST /v1/auth/token` and the JWKS document.

use crate::app::auth::{IssuedToken, Principal};
use crate::app::{App, Error};
use crate::http::json::Json;
use crate::http::problem::{BadRequest, Unauthenticated, Unavailable};
use axum::extract::{FromRequestParts, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(token_create))
        .routes(routes!(jwks_show))
}

pub use slicebroker_types::api::TokenCreate;

/// Exchange an API key for a bearer token
///
/// Returns a short-lived JWT (EdDSA) to send as `Authorization: Bearer <access_token>` on
/// every other call. Tokens cannot be refreshed: when one expires (`expires_in` seconds from
/// now, or a `401 unauthenticated` answer), ask for another. Revoking the key stops new
/// tokens; tokens already issued run out on their own.
#[utoipa::path(
    post,
    path = "/v1/auth/token",
    operation_id = "token_create",
    tag = "auth",
    security(),
    request_body = TokenCreate,
    responses(
        (status = 200, description = "A token", body = IssuedToken),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = Unavailable),
    )
)]
async fn token_create(
    State(app): State<App>,
    Json(req): Json<TokenCreate>,
) -> Result<axum::Json<IssuedToken>, Error> {
    crate::app::auth::token_create(app.db(), app.signer(), &req.api_key)
        .await
        .map(axum::Json)
}

/// The server's public signing keys
///
/// A JSON Web Key Set (RFC 7517) with the Ed25519 public key that signs tokens, for services
/// that want to verify slicebroker tokens themselves. The `kid` in a token's header names the
/// key.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    operation_id = "jwks_show",
    tag = "auth",
    security(),
    responses((status = 200, description = "The key set", body = Jwks))
)]
async fn jwks_show(State(app): State<App>) -> axum::Json<jsonwebtoken::jwk::JwkSet> {
    axum::Json(app.signer().jwks().clone())
}

/// A JSON Web Key Set, as the OpenAPI document describes `jwks_show`'s body.
#[derive(Debug, utoipa::ToSchema)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// An Ed25519 public key (RFC 8037).
#[derive(Debug, utoipa::ToSchema)]
pub struct Jwk {
    /// `OKP`.
    pub kty: String,
    /// `Ed25519`.
    pub crv: String,
    /// The public key, base64url.
    pub x: String,
    /// The key's id (its RFC 7638 thumbprint), as tokens name it in their header.
    pub kid: String,
    /// `sig`.
    #[serde(rename = "use")]
    pub key_use: String,
    /// `EdDSA`.
    pub alg: String,
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

/// The bearer token of the request, if it has an `Authorization` header. The scheme is
/// case-insensitive (RFC 7235 §2.1: `bearer`, `BEARER` and `Bearer` are the same).
pub fn bearer(headers: &HeaderMap) -> Result<Option<&str>, Error> {
    let Some(header) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    header
        .to_str()
        .ok()
        .and_then(|h| h.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim())
        .filter(|t| !t.is_empty())
        .map(Some)
        .ok_or(Error::Unauthenticated(
            "the Authorization header must be `Bearer <token>`",
        ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        h
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive() {
        for v in ["Bearer abc", "bearer abc", "BEARER abc", "bEaReR  abc "] {
            assert_eq!(bearer(&with(v)).unwrap(), Some("abc"), "{v}");
        }
        for v in ["Basic abc", "Bearer", "Bearer ", "Bearerabc", "abc"] {
            assert!(bearer(&with(v)).is_err(), "{v}");
        }
        assert_eq!(bearer(&HeaderMap::new()).unwrap(), None);
    }
}
