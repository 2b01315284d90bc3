//! The OpenAPI 3.1 document, built from the `#[utoipa::path]` of every handler as the routes
//! are registered (`utoipa_axum::routes!`), so a route cannot exist without appearing in it.
//! Served at `/openapi.json`, with Swagger UI at `/docs` from vendored assets; checked in at
//! `openapi/slicebroker.json`, which a test keeps in step.

use super::problem::{self, NotFound, Problem, ProblemCode};
use super::{
    agents, audit, auth, classes, fleet, health, keys, leases, rates, tenants, usage, webhooks,
};
use crate::app::{App, Error};
use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::IntoResponse;
use std::sync::LazyLock;
use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{Modify, OpenApi, ToResponse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What the document says before any route: title, introduction, tags, security, errors.
#[derive(OpenApi)]
#[openapi(
    info(title = "slicebroker", description = include_str!("openapi.md")),
    security(("bearerAuth" = [])),
    modifiers(&BearerAuth),
    components(
        schemas(Problem, ProblemCode, slicebroker_types::api::AuditTargetKind),
        responses(
            problem::BadRequest,
            problem::InvalidInput,
            problem::Unauthenticated,
            problem::Forbidden,
            problem::NotFound,
            problem::IllegalTransition,
            problem::Conflict,
            problem::IdempotencyConflict,
            problem::AlreadyRevoked,
            problem::RevokeConflict,
            problem::HostInUse,
            problem::ExtendConflict,
            problem::PolicyViolation,
            problem::PolicyOrQuota,
            problem::RateLimited,
            problem::Unavailable,
            problem::NoCapacity,
            problem::Internal,
        )
    ),
    tags(
        (name = "auth", description = "Exchange an API key for a bearer token; the keys that sign tokens; the organisation's sign-in (OIDC) settings."),
        (name = "leases", description = "Lease MIG slices, use them, extend and release them. A lease goes `pending` (queued) or `booked` (booked ahead with `start`) → `provisioning` (granted, the instance is being made) → `active` (usable) → `releasing` → `ended`; `end_reason` says why it ended."),
        (name = "fleet", description = "The GPUs and hosts leases are placed on, free capacity, and (admins) cordoning."),
        (name = "usage", description = "Slice-hours, for reports and chargeback."),
        (name = "classes", description = "Slice classes: named shapes (`notebook`, `full-gpu`) a lease request may name instead of a raw profile. Everyone lists those they may use; admins define them."),
        (name = "tenants", description = "Tenants (teams) and their policy: quotas and lease limits. Admin only, except reading one's own tenant."),
        (name = "api-keys", description = "A tenant's API keys, managed by admins and the tenant's `tenant-admin` keys; admin keys, listed and revoked by admins."),
        (name = "agents", description = "The protocol between the server and the agent on each GPU host: enrollment (admins create tokens), registration, the desired config (long-poll) and observed state. Agent endpoints take the host's agent credential (`agentAuth`), not a user token."),
        (name = "webhooks", description = "Tell a receiver about lease events: registered per tenant (tenant admins) or fleet-wide (admins), signed with HMAC-SHA256, delivered at least once with retries; the delivery history and redelivery. See docs/webhooks.md."),
        (name = "audit", description = "Who changed what, when: every audited change in the fleet (admins), with the object before and after."),
        (name = "operations", description = "Probes and metrics for whoever runs the server. No token needed."),
        (name = "docs", description = "This document and the page that shows it. No token needed."),
    )
)]
struct ApiDoc;

/// The `bearerAuth` scheme the document's global `security` names.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "A token from `POST /v1/auth/token`, sent as `Authorization: Bearer <token>`.",
            ))
            .build();
        let agent = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "A host's agent credential (`sba_…`) from `agent_register`, as `Authorization: Bearer <credential>`.",
            ))
            .build();
        let components = doc.components.get_or_insert_default();
        components.add_security_scheme("bearerAuth", SecurityScheme::Http(scheme));
        components.add_security_scheme("agentAuth", SecurityScheme::Http(agent));
    }
}

/// Every documented route, with the document they make.
pub fn api() -> OpenApiRouter<App> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::routes())
        .merge(auth::routes())
        .merge(tenants::routes())
        .merge(classes::routes())
        .merge(keys::routes())
        .merge(leases::routes())
        .merge(fleet::routes())
        .merge(usage::routes())
        .merge(rates::routes())
        .merge(agents::routes())
        .merge(webhooks::routes())
        .merge(audit::routes())
        .routes(routes!(openapi_show))
        .routes(routes!(docs_show))
        .routes(routes!(docs_asset_show))
}

/// The document as served and checked in.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = api().into_openapi();
    for item in doc.paths.paths.values_mut() {
        for op in operations(item) {
            // Any handler can panic; `CatchPanicLayer` answers for it.
            op.responses
                .responses
                .entry("500".into())
                .or_insert_with(|| {
                    RefOr::Ref(Ref::from_response_name(problem::Internal::response().0))
                });
            // An operation that takes a user's token (the document's global `bearerAuth`)
            // counts against the caller's tenant's rate limit.
            if op.security.is_none() {
                op.responses
                    .responses
                    .entry("429".into())
                    .or_insert_with(|| {
                        RefOr::Ref(Ref::from_response_name(problem::RateLimited::response().0))
                    });
            }
        }
    }
    doc
}

/// [`document`] as pretty JSON with a final newline: the bytes of `openapi/slicebroker.json`.
/// The document is refined ([`super::contract`]) on its JSON, for what the derives cannot say.
pub fn document_json() -> String {
    let mut doc = serde_json::to_value(document()).expect("the document serialises");
    super::contract::refine(&mut doc);
    let mut json = serde_json::to_string_pretty(&doc).expect("the document serialises");
    json.push('\n');
    json
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .flatten()
}

static DOCUMENT: LazyLock<String> = LazyLock::new(document_json);

/// This document
///
/// The OpenAPI 3.1 description of this API, to generate a client from.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi_show",
    tag = "docs",
    security(),
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json"))
)]
async fn openapi_show() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "application/json"),
            (CACHE_CONTROL, "no-cache"),
        ],
        DOCUMENT.as_str(),
    )
}

/// Interactive API docs
///
/// Swagger UI showing this document, with "Try it out" against this server: get a token
/// with `token_create`, then use it under "Authorize".
#[utoipa::path(
    get,
    path = "/docs",
    operation_id = "docs_show",
    tag = "docs",
    security(),
    responses((status = 200, description = "An HTML page", content_type = "text/html"))
)]
async fn docs_show() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
            // Swagger UI sets inline styles and shows SVG icons as data: URIs.
            (
                CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'",
            ),
        ],
        include_str!("../../assets/swagger-ui/index.html"),
    )
}

/// The files of the docs page: (name, content type, bytes).
const ASSETS: [(&str, &str, &[u8]); 3] = [
    (
        "swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
    ),
    (
        "swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/swagger-ui.css"),
    ),
    (
        "swagger-initializer.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/swagger-ui/swagger-initializer.js"),
    ),
];

/// A file of the docs page
///
/// The scripts and styles of `/docs` (Swagger UI, vendored in the server).
#[utoipa::path(
    get,
    path = "/docs/{asset}",
    operation_id = "docs_asset_show",
    tag = "docs",
    security(),
    params(("asset" = String, Path, description = "The file's name")),
    responses(
        (status = 200, description = "The file"),
        (status = 404, response = NotFound),
    )
)]
async fn docs_asset_show(Path(asset): Path<String>) -> Result<impl IntoResponse, Error> {
    let (_, content_type, bytes) = ASSETS
        .iter()
        .find(|(name, ..)| *name == asset)
        .ok_or_else(|| Error::not_found("docs asset", &asset))?;
    Ok((
        [
            (CONTENT_TYPE, *content_type),
            (CACHE_CONTROL, "public, max-age=86400"),
        ],
        *bytes,
    ))
}
