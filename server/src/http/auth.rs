//! Authentication: the bearer-token extractor, `POST /v1/auth/token` and the JWKS document.

use crate::app::auth::{IssuedToken, Principal};
use crate::app::{App, Error};
use crate::http::json::Json;
use crate::http::problem::{BadRequest, Unauthenticated, Unavailable};
use axum::extract::{FromRequestParts, RawPathParams, State};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use slicebroker_types::TenantId;
use slicebroker_types::api::Role;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(token_create))
        .routes(routes!(jwks_show))
        .routes(routes!(sso_show))
        .routes(routes!(whoami_show))
}

/// How the dashboard and portals sign people in with the organisation's identity provider.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SsoSettings {
    /// Whether the server trusts an OpenID Connect issuer; the other fields are null when not.
    pub enabled: bool,
    /// The issuer's URL (`iss` of its tokens); its discovery document is at
    /// `<issuer>/.well-known/openid-configuration`.
    pub issuer: Option<String>,
    /// Where to send the browser (authorization code flow with PKCE); null when the issuer's
    /// discovery document could not be read yet.
    pub authorization_endpoint: Option<String>,
    /// Where to trade the authorization code (and PKCE verifier) for tokens; null when the
    /// issuer's discovery document could not be read yet or names none.
    pub token_endpoint: Option<String>,
    /// The client id to sign in with; its ID or access tokens carry it as `aud`.
    pub client_id: Option<String>,
}

/// Organisation sign-in settings
///
/// Whether tokens of the organisation's OpenID Connect issuer are accepted, and what a client
/// needs for the authorization code flow with PKCE. A token from that issuer is then sent as
/// `Authorization: Bearer <token>` like our own; its claims map to a tenant and role by the
/// server's sign-in rules, and one that fails any check or matches no rule is a plain 401.
#[utoipa::path(
    get,
    path = "/v1/auth/sso",
    operation_id = "sso_show",
    tag = "auth",
    security(),
    responses((status = 200, description = "The sign-in settings", body = SsoSettings))
)]
async fn sso_show(State(app): State<App>) -> axum::Json<SsoSettings> {
    let settings = match app.sign_in() {
        Some(s) => {
            let s = s.sso_settings().await;
            SsoSettings {
                enabled: true,
                issuer: Some(s.issuer),
                authorization_endpoint: s.authorization_endpoint,
                token_endpoint: s.token_endpoint,
                client_id: Some(s.client_id),
            }
        }
        None => SsoSettings {
            enabled: false,
            issuer: None,
            authorization_endpoint: None,
            token_endpoint: None,
            client_id: None,
        },
    };
    axum::Json(settings)
}

/// Who the caller's token says it is.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct WhoAmI {
    /// `key:<id>` for a token minted from an API key, `oidc:<sub>` for a person signed in
    /// through the organisation's issuer (as audit entries and lease events name them).
    pub subject: String,
    /// The caller's tenant; null for fleet admins.
    pub tenant_id: Option<TenantId>,
    pub role: Role,
}

/// Who am I
///
/// The subject, tenant and role the server maps the caller's token to, whichever kind it is
/// (one of ours, or one of the organisation's issuer, whose claims the sign-in rules map).
/// The dashboard asks this after signing in with SSO, since those tokens carry no role.
#[utoipa::path(
    get,
    path = "/v1/auth/whoami",
    operation_id = "whoami_show",
    tag = "auth",
    responses(
        (status = 200, description = "The caller", body = WhoAmI),
        (status = 401, response = Unauthenticated),
    )
)]
async fn whoami_show(Caller(who): Caller) -> axum::Json<WhoAmI> {
    axum::Json(WhoAmI {
        subject: who.actor(),
        tenant_id: who.tenant,
        role: who.role,
    })
}

pub use slicebroker_types::api::TokenCreate;

/// Exchange an API key for a bearer token
///
/// Returns a short-lived JWT (EdDSA) to send as `Authorization: Bearer <access_token>` on
/// every other call. Tokens cannot be refreshed: when one expires (`expires_in` seconds from
/// now, or a `401 unauthenticated` answer), ask for another. Revoking the key stops new
/// tokens, and the tokens already issued from it are refused within the server's
/// `key_revocation_delay` (5 s by default).
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
        let who = match app.sign_in() {
            Some(sign_in) if sign_in.claims_issuer(token) => {
                sign_in.verify(app.db(), token).await?
            }
            _ => {
                let who = app.signer().verify(token)?;
                if let Some(key) = who.key_id {
                    app.revocations().check(app.db(), key).await?;
                }
                who
            }
        };
        if let Some(tenant) = who.tenant {
            app.rate_limits().check(tenant)?;
        }
        Ok(Caller(who))
    }
}

/// What a caller's role must allow before the request's body is read. `tenant` is the tenant
/// the path names (its `id` parameter), if it names one.
pub trait Needs {
    fn check(who: &Principal, tenant: Option<TenantId>) -> Result<(), Error>;
}

/// The fleet administrator.
#[derive(Debug)]
pub struct AdminRole;

impl Needs for AdminRole {
    fn check(who: &Principal, _: Option<TenantId>) -> Result<(), Error> {
        who.require_admin()
    }
}

/// Any role but viewer.
#[derive(Debug)]
pub struct LeaseWriter;

impl Needs for LeaseWriter {
    fn check(who: &Principal, _: Option<TenantId>) -> Result<(), Error> {
        if who.role.can_write_leases() {
            Ok(())
        } else {
            Err(Error::Forbidden(
                "viewers cannot create or change leases".into(),
            ))
        }
    }
}

/// An admin, or a tenant admin of the tenant the path names. Another tenant's objects are not
/// found, whatever the caller's role, as everywhere else.
#[derive(Debug)]
pub struct TenantAdmin;

impl Needs for TenantAdmin {
    fn check(who: &Principal, tenant: Option<TenantId>) -> Result<(), Error> {
        match tenant {
            _ if who.is_admin() => Ok(()),
            Some(t) if who.tenant != Some(t) => Err(Error::not_found("tenant", t)),
            _ if who.role.can_manage_keys() => Ok(()),
            _ => Err(Error::Forbidden("this needs the tenant-admin role".into())),
        }
    }
}

/// The caller, whose role is checked against `N` before any later extractor runs: a caller
/// without the right gets 403 (or 404 for another tenant's path) whatever body it sent
/// (authorization before validation), and learns nothing about the body. The use case checks
/// again, in full.
#[derive(Debug)]
pub struct CallerWith<N>(pub Principal, pub std::marker::PhantomData<N>);

impl<N: Needs> FromRequestParts<App> for CallerWith<N> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let Caller(who) = Caller::from_request_parts(parts, app).await?;
        let tenant = RawPathParams::from_request_parts(parts, app)
            .await
            .ok()
            .and_then(|ps| {
                ps.iter()
                    .find(|(name, _)| *name == "id")
                    .and_then(|(_, v)| v.parse::<uuid::Uuid>().ok())
            })
            .map(TenantId::from);
        N::check(&who, tenant)?;
        Ok(Self(who, std::marker::PhantomData))
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
