//! The HTTP surface: routes (one file per resource, all documented: `openapi`), the middleware
//! stack (request ids, tracing spans, timeouts, body limit, panic catching) and serving, plain
//! or with TLS (`tls`), with graceful shutdown.

pub mod agents;
pub mod audit;
pub mod auth;
pub mod classes;
pub mod contract;
pub mod fleet;
pub mod health;
pub mod json;
pub mod keys;
pub mod leases;
pub mod openapi;
pub mod path;
pub mod problem;
pub mod query;
pub mod rates;
pub mod tenants;
pub mod tls;
pub mod usage;
pub mod web;
pub mod webhooks;

use crate::app::{App, Error};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use std::time::Instant;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Every route, with the middleware stack.
pub fn router(app: App) -> Router {
    let api = Router::from(openapi::api());
    let api = match &app.config().web_dir {
        Some(dir) => web::with_dashboard(api, dir),
        None => api.fallback(not_found),
    };
    let timeout = app.config().request_timeout();
    let body_limit = app.config().body_limit_bytes.get();
    api.layer(middleware::from_fn(query::refuse_undeclared))
        .layer(middleware::from_fn_with_state(app.clone(), record_metrics))
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(
                    TraceLayer::new_for_http().make_span_with(|req: &Request| {
                        let route = req
                            .extensions()
                            .get::<MatchedPath>()
                            .map_or(req.uri().path(), MatchedPath::as_str);
                        let id = req
                            .headers()
                            .get(REQUEST_ID)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("");
                        tracing::info_span!("http", method = %req.method(), http.route = route, request_id = id)
                    })
                    // Problems are logged by `problem::log_problems` at the level they deserve;
                    // the default would log every 5xx, a full fleet's 503 included, at ERROR.
                    .on_failure(()),
                )
                .layer(middleware::from_fn(problem::log_problems))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CatchPanicLayer::custom(|_| {
                    Error::internal("handler panicked").into_response()
                }))
                .layer(middleware::map_response(problem::bare_errors_as_problems))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::SERVICE_UNAVAILABLE,
                    timeout,
                ))
                .layer(RequestBodyLimitLayer::new(body_limit)),
        )
        .with_state(app)
}

async fn not_found() -> Error {
    Error::NotFound {
        kind: "route",
        id: "for this path".into(),
    }
}

async fn record_metrics(State(app): State<App>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let start = Instant::now();
    let response = next.run(req).await;
    app.metrics().observe_request(
        &route,
        response.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    response
}

/// Serves until `shutdown` resolves, then finishes in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(app))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Serves https with `certs` until `shutdown` resolves, then finishes in-flight requests, as
/// [`serve`] does. Reloading `certs` changes the certificate of new connections.
pub async fn serve_tls(
    listener: tokio::net::TcpListener,
    certs: &std::sync::Arc<tls::Certificates>,
    app: App,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(tls::TlsListener::new(listener, certs)?, router(app))
        .with_graceful_shutdown(shutdown)
        .await
}

/// On each SIGHUP, reads the certificate and key again (a failed reload is logged and the
/// certificate in use stays); without TLS (`None`) logs that there is nothing to reload. Either
/// way a SIGHUP (a service manager's reload, logrotate) never ends the server, as the signal's
/// default action would.
pub async fn reload_on_sighup(
    mut hangup: tokio::signal::unix::Signal,
    certs: Option<std::sync::Arc<tls::Certificates>>,
) {
    while hangup.recv().await.is_some() {
        let Some(certs) = &certs else {
            tracing::info!("SIGHUP: nothing to reload (serving plain http)");
            continue;
        };
        match certs.reload() {
            Ok(()) => {
                tracing::info!(cert_file = %certs.cert_file().display(), "TLS certificate reloaded")
            }
            Err(e) => tracing::error!("TLS certificate not reloaded, the current one stays: {e}"),
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
