//! The web dashboard (`web/`, built into `web_dir`): served at `/` on the API's own origin. It
//! is the router's fallback, so every documented route (API, docs, probes, metrics) is matched
//! first; paths under the API's prefixes that match no route stay problem+json 404s, a path
//! naming a file serves that file, and any other path answers with `index.html` so the
//! dashboard's own routes (`/leases/…`) load on a refresh or a shared link.

use crate::app::{App, Error};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, CACHE_CONTROL, CONTENT_SECURITY_POLICY, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// Paths that belong to the API and the server's own pages, never to the dashboard.
const NOT_DASHBOARD: [&str; 7] = [
    "/v1",
    "/docs",
    "/openapi.json",
    "/.well-known",
    "/metrics",
    "/healthz",
    "/readyz",
];

/// The dashboard's files may only come from this origin; the API is called on it too. With
/// organisation sign-in, the token endpoint's origin is added to `connect-src` and the
/// authorization endpoint's to `form-action` (see [`policy`]).
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; \
                   connect-src 'self'; form-action 'self'; object-src 'none'; base-uri 'self'; \
                   frame-ancestors 'none'";

/// The content security policy, letting the dashboard post to `token` (the issuer's token
/// endpoint, from script) and send the browser to `authorization` (its authorization
/// endpoint). Both are origins checked by [`crate::app::sign_in::SignIn::origins`].
fn policy(token: Option<&str>, authorization: Option<&str>) -> String {
    let with = |o: Option<&str>| o.map(|o| format!("'self' {o}")).unwrap_or("'self'".into());
    format!(
        "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src {}; \
         form-action {}; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
        with(token),
        with(authorization)
    )
}

/// The policy for this server: the plain one, or one that lets the sign-in through. `discover`
/// reads the issuer's discovery document first when it was not read yet (for pages; files
/// take what is known).
async fn csp(app: &App, discover: bool) -> HeaderValue {
    let Some(sign_in) = app.sign_in() else {
        return HeaderValue::from_static(CSP);
    };
    if discover {
        sign_in.discover().await;
    }
    let o = sign_in.origins();
    HeaderValue::from_str(&policy(o.token.as_deref(), o.authorization.as_deref()))
        .unwrap_or(HeaderValue::from_static(CSP))
}

/// `router` with the dashboard in `dir` as its fallback.
pub fn with_dashboard(router: Router<App>, dir: &Path) -> Router<App> {
    let dir: Arc<Path> = dir.into();
    router.fallback(move |State(app): State<App>, req: Request| serve(dir.clone(), app, req))
}

fn is_api_path(path: &str) -> bool {
    NOT_DASHBOARD.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// A last segment with a dot names a file (`app-3f2a.js`, `favicon.svg`); anything else is a
/// route of the dashboard.
fn names_a_file(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|s| s.contains('.'))
}

async fn serve(dir: Arc<Path>, app: App, req: Request) -> Response {
    let path = req.uri().path().to_owned();
    if is_api_path(&path) {
        return Error::NotFound {
            kind: "route",
            id: "for this path".into(),
        }
        .into_response();
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut response = Error::MethodNotAllowed.into_response();
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    if names_a_file(&path) {
        let response = match ServeDir::new(&*dir).oneshot(req).await {
            Ok(r) => r.map(Body::new),
            Err(e) => match e {},
        };
        if response.status() == StatusCode::NOT_FOUND {
            return Error::NotFound {
                kind: "file",
                id: path,
            }
            .into_response();
        }
        // Vite names what it puts under `assets/` by content hash: a new build, a new name.
        let cache = if path.starts_with("/assets/") {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        };
        return with_headers(response, cache, csp(&app, false).await);
    }
    let index: Result<Response<_>, Infallible> =
        ServeFile::new(dir.join("index.html")).oneshot(req).await;
    let response = match index {
        Ok(r) => r.map(Body::new),
        Err(e) => match e {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        // Checked at start-up; gone since (a rebuild in progress).
        return Error::Unavailable("the dashboard is being rebuilt; try again shortly".into())
            .into_response();
    }
    with_headers(response, "no-cache", csp(&app, true).await)
}

fn with_headers(mut response: Response, cache: &'static str, csp: HeaderValue) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(CONTENT_SECURITY_POLICY, csp);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_prefixes_are_never_the_dashboard() {
        for p in [
            "/v1",
            "/v1/nope",
            "/docs/x.js",
            "/.well-known/x",
            "/metrics",
        ] {
            assert!(is_api_path(p), "{p}");
        }
        for p in [
            "/",
            "/v1x",
            "/leases/abc",
            "/fleet",
            "/docsy",
            "/assets/a.js",
        ] {
            assert!(!is_api_path(p), "{p}");
        }
    }

    #[test]
    fn the_policy_lets_only_the_sign_in_endpoints_through() {
        assert_eq!(policy(None, None), CSP);
        let p = policy(
            Some("https://tokens.example.com"),
            Some("https://login.example.com"),
        );
        assert!(
            p.contains("connect-src 'self' https://tokens.example.com;"),
            "{p}"
        );
        assert!(
            p.contains("form-action 'self' https://login.example.com;"),
            "{p}"
        );
        assert!(p.contains("default-src 'self';"), "{p}");
    }

    #[test]
    fn only_a_dotted_last_segment_names_a_file() {
        assert!(names_a_file("/assets/index-3f2a.js"));
        assert!(names_a_file("/favicon.svg"));
        assert!(!names_a_file(
            "/leases/0191d2c4-7b0e-7a51-b3a2-5c1f00000001"
        ));
        assert!(!names_a_file("/"));
        assert!(!names_a_file("/admin"));
    }
}
