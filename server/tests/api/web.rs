//! The dashboard served at `/` (`web_dir`): its files with their content types, its own routes
//! answered with `index.html`, and every API, docs and probe path exactly as without it.

use crate::harness::{spawn_app, spawn_with};
use std::path::Path;

const INDEX: &str = "<!doctype html><title>slicebroker test dashboard</title>";

/// A built dashboard as Vite lays it out: `index.html` and hashed files under `assets/`.
fn dashboard(dir: &Path) {
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    std::fs::write(dir.join("assets/index-3f2a9c.js"), "console.log('hi')").unwrap();
    std::fs::write(dir.join("assets/index-77b1e0.css"), "body{margin:0}").unwrap();
    std::fs::write(
        dir.join("favicon.svg"),
        "<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    .unwrap();
}

#[tokio::test]
async fn the_dashboard_is_served_at_the_root_and_on_its_own_routes() {
    let dir = tempfile::tempdir().unwrap();
    dashboard(dir.path());
    let app = spawn_with(|c| c.web_dir = Some(dir.path().to_owned())).await;
    for path in [
        "/",
        "/fleet",
        "/leases/0191d2c4-7b0e-7a51-b3a2-5c1f00000001",
    ] {
        let r = app.client.send("GET", path, None, None, &[]).await;
        assert_eq!(r.status, 200, "{path}: {}", r.text);
        assert!(
            r.content_type.starts_with("text/html"),
            "{path}: {}",
            r.content_type
        );
        assert_eq!(r.text, INDEX, "{path}");
        assert_eq!(r.header("cache-control"), Some("no-cache"), "{path}");
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
    }
    let js = app
        .client
        .send("GET", "/assets/index-3f2a9c.js", None, None, &[])
        .await;
    assert_eq!(js.status, 200);
    assert_eq!(js.content_type, "text/javascript");
    assert_eq!(js.text, "console.log('hi')");
    assert_eq!(
        js.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let css = app
        .client
        .send("GET", "/assets/index-77b1e0.css", None, None, &[])
        .await;
    assert_eq!((css.status, css.content_type.as_str()), (200, "text/css"));
    let svg = app
        .client
        .send("GET", "/favicon.svg", None, None, &[])
        .await;
    assert_eq!(
        (svg.status, svg.content_type.as_str()),
        (200, "image/svg+xml")
    );
    assert_eq!(svg.header("cache-control"), Some("no-cache"));
}

#[tokio::test]
async fn with_the_dashboard_api_docs_and_probes_answer_as_before() {
    let dir = tempfile::tempdir().unwrap();
    dashboard(dir.path());
    let app = spawn_with(|c| c.web_dir = Some(dir.path().to_owned())).await;
    let get = async |path: &str| app.client.send("GET", path, None, None, &[]).await;
    // Unknown API paths, and a missing file, are problems, never the dashboard's index.html.
    for path in ["/v1/nope", "/v1", "/docs/missing.js", "/.well-known/nope"] {
        get(path).await.problem(404, "not_found");
    }
    get("/assets/missing-1234.js")
        .await
        .problem(404, "not_found");
    get("/v1/leases").await.problem(401, "unauthenticated");
    assert_eq!(get("/healthz").await.ok(200)["status"], "ok");
    let readyz = get("/readyz").await;
    assert_eq!(readyz.status, 200, "{}", readyz.text);
    assert_eq!(get("/openapi.json").await.ok(200)["openapi"], "3.1.0");
    let docs = get("/docs").await;
    assert_eq!(docs.status, 200);
    assert!(docs.text.contains("swagger"), "{}", docs.text);
    assert!(!docs.text.contains(INDEX));
    let metrics = get("/metrics").await;
    assert!(
        metrics.content_type.starts_with("text/plain"),
        "{}",
        metrics.content_type
    );
    // The dashboard is read-only.
    let post = app
        .client
        .send("POST", "/fleet", None, Some("{}"), &[])
        .await;
    post.problem(405, "method_not_allowed");
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
}

#[tokio::test]
async fn without_a_web_dir_the_root_is_not_found() {
    let app = spawn_app().await;
    let r = app.client.send("GET", "/", None, None, &[]).await;
    r.problem(404, "not_found");
}
