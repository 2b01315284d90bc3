//! The 4xx paths of every endpoint, one endpoint family at a time: each answer is problem+json
//! with a stable code, names the offending field where there is one, and changes nothing.

use crate::harness::{TestApp, spawn_app};
use serde_json::{Value, json};

const NIL: &str = "00000000-0000-0000-0000-000000000000";

/// A tenant with a member, a viewer and a tenant-admin token, and one granted lease.
struct World {
    tenant: String,
    member: String,
    viewer: String,
    lease: String,
    gpu: String,
    host: String,
}

async fn world(app: &TestApp) -> World {
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (tenant, member) = app.tenant("team-a", Value::Null).await;
    let admin = app.admin_token().await;
    let k = app
        .post(
            &format!("/v1/tenants/{tenant}/api-keys"),
            &admin,
            &json!({"name": "ro", "role": "viewer"}),
        )
        .await;
    let viewer = app.token(k.ok(201)["secret"].as_str().unwrap()).await;
    let lease = app
        .post(
            "/v1/leases",
            &member,
            &json!({"profile": "1g.10gb", "duration": "1h"}),
        )
        .await;
    let lease = lease.ok(201)["id"].as_str().unwrap().to_owned();
    let gpus = app.get("/v1/gpus", &admin).await;
    let gpu = gpus.ok(200)[0]["id"].as_str().unwrap().to_owned();
    let host = gpus.body[0]["host_id"].as_str().unwrap().to_owned();
    World {
        tenant,
        member,
        viewer,
        lease,
        gpu,
        host,
    }
}

/// A request and the problem it must get: method, path, body, status, code, field.
type Case<'a> = (
    &'a str,
    String,
    Option<&'a str>,
    u16,
    &'a str,
    Option<&'a str>,
);

/// Sends each request and checks the problem it gets: status, code and `field` (`None`: the
/// problem must not name one). Then checks that the database did not change.
async fn expect_problems(app: &TestApp, token: Option<&str>, cases: &[Case<'_>]) {
    let before = app.snapshot().await;
    for (method, path, body, status, code, field) in cases {
        let r = app.request(method, path, token, *body, &[]).await;
        assert_eq!(r.status, *status, "{method} {path}: {}", r.body);
        let p = r.problem(*status, code);
        match field {
            Some(f) => assert_eq!(p["field"], *f, "{method} {path}: {p}"),
            None => assert!(p.get("field").is_none(), "{method} {path}: {p}"),
        }
        assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{p}");
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "rejected requests leave the database unchanged"
    );
}

/// Every route that needs a token, with a body where it takes one.
fn protected_routes(w: &World) -> Vec<(&'static str, String, Option<&'static str>)> {
    let (t, l, g, h) = (&w.tenant, &w.lease, &w.gpu, &w.host);
    vec![
        ("GET", "/v1/tenants".into(), None),
        ("POST", "/v1/tenants".into(), Some(r#"{"name":"x"}"#)),
        ("GET", format!("/v1/tenants/{t}"), None),
        ("PATCH", format!("/v1/tenants/{t}"), Some("{}")),
        ("GET", format!("/v1/tenants/{t}/audit"), None),
        ("GET", format!("/v1/tenants/{t}/api-keys"), None),
        (
            "POST",
            format!("/v1/tenants/{t}/api-keys"),
            Some(r#"{"name":"k","role":"member"}"#),
        ),
        (
            "POST",
            format!("/v1/tenants/{t}/api-keys/{NIL}/revoke"),
            None,
        ),
        ("GET", "/v1/leases".into(), None),
        (
            "POST",
            "/v1/leases".into(),
            Some(r#"{"profile":"1g.10gb","duration":"1h"}"#),
        ),
        ("GET", format!("/v1/leases/{l}"), None),
        (
            "POST",
            format!("/v1/leases/{l}/extend"),
            Some(r#"{"by":"1h"}"#),
        ),
        ("POST", format!("/v1/leases/{l}/release"), None),
        ("POST", format!("/v1/leases/{l}/revoke"), None),
        ("GET", format!("/v1/leases/{l}/events"), None),
        ("GET", "/v1/gpus".into(), None),
        ("GET", "/v1/hosts".into(), None),
        ("GET", "/v1/capacity".into(), None),
        ("POST", format!("/v1/gpus/{g}/cordon"), None),
        ("POST", format!("/v1/gpus/{g}/uncordon"), None),
        ("POST", format!("/v1/hosts/{h}/cordon"), None),
        ("POST", format!("/v1/hosts/{h}/uncordon"), None),
        (
            "GET",
            "/v1/usage?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z".into(),
            None,
        ),
    ]
}

#[tokio::test]
async fn every_protected_route_refuses_missing_and_unsigned_tokens() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let b64 = |s: &str| slicebroker_server::app::auth::b64url(s.as_bytes());
    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "sub": uuid::Uuid::new_v4(), "role": "admin", "aud": "slicebroker",
                         "iss": "slicebroker", "iat": now, "exp": now + 600 });
    let unsigned = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&claims.to_string())
    );
    let before = app.snapshot().await;
    for (method, path, body) in protected_routes(&w) {
        for token in [None, Some(unsigned.as_str()), Some("not-a-jwt")] {
            let r = app.request(method, &path, token, body, &[]).await;
            r.problem(401, "unauthenticated");
        }
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let l = &w.lease;
    expect_problems(
        &app,
        Some(&admin),
        &[
            ("GET", "/nope".into(), None, 404, "not_found", None),
            (
                "GET",
                "/v1/leases/x/y/z".into(),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "DELETE",
                "/v1/leases".into(),
                None,
                405,
                "method_not_allowed",
                None,
            ),
            (
                "GET",
                "/v1/auth/token".into(),
                None,
                405,
                "method_not_allowed",
                None,
            ),
            (
                "PUT",
                format!("/v1/leases/{l}"),
                Some("{}"),
                405,
                "method_not_allowed",
                None,
            ),
            (
                "GET",
                format!("/v1/leases/{l}/release"),
                None,
                405,
                "method_not_allowed",
                None,
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn malformed_path_ids_name_the_parameter() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let t = &w.tenant;
    let mut cases = Vec::new();
    for path in [
        "/v1/leases/123",
        "/v1/leases/123/extend",
        "/v1/leases/123/release",
        "/v1/leases/123/revoke",
        "/v1/leases/123/events",
        "/v1/tenants/123",
        "/v1/tenants/123/audit",
        "/v1/tenants/123/api-keys",
        "/v1/gpus/123/cordon",
        "/v1/gpus/123/uncordon",
        "/v1/hosts/123/cordon",
        "/v1/hosts/123/uncordon",
    ] {
        let method = if path.ends_with("123") || path.ends_with("events") || path.ends_with("audit")
        {
            "GET"
        } else {
            "POST"
        };
        let body = path.ends_with("extend").then_some(r#"{"by":"1h"}"#);
        cases.push((
            method,
            path.to_owned(),
            body,
            400,
            "invalid_input",
            Some("id"),
        ));
    }
    cases.push((
        "POST",
        format!("/v1/tenants/{t}/api-keys/not-a-key/revoke"),
        None,
        400,
        "invalid_input",
        Some("key_id"),
    ));
    cases.push((
        "POST",
        format!("/v1/tenants/nope/api-keys/{NIL}/revoke"),
        None,
        400,
        "invalid_input",
        Some("id"),
    ));
    cases.push((
        "PATCH",
        "/v1/tenants/zz".into(),
        Some("{}"),
        400,
        "invalid_input",
        Some("id"),
    ));
    expect_problems(&app, Some(&admin), &cases).await;
    let r = app.get("/v1/leases/123", &admin).await;
    assert!(
        r.body["detail"].as_str().unwrap().contains("`123`"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn malformed_bodies_wrong_content_types_and_oversized_bodies_are_problems() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let (t, l) = (&w.tenant, &w.lease);
    expect_problems(
        &app,
        Some(&admin),
        &[
            (
                "POST",
                "/v1/auth/token".into(),
                Some("{"),
                400,
                "malformed_body",
                Some("body"),
            ),
            (
                "POST",
                "/v1/auth/token".into(),
                Some("{}"),
                400,
                "malformed_body",
                Some("body"),
            ),
            (
                "POST",
                "/v1/tenants".into(),
                Some("[]"),
                400,
                "malformed_body",
                Some("body"),
            ),
            (
                "POST",
                "/v1/tenants".into(),
                Some(r#"{"name":"a","colour":"red"}"#),
                400,
                "malformed_body",
                Some("body"),
            ),
            (
                "PATCH",
                format!("/v1/tenants/{t}"),
                Some(r#"{"policy":{"max_lease_seconds":"long"}}"#),
                400,
                "malformed_body",
                Some("body"),
            ),
            (
                "POST",
                format!("/v1/tenants/{t}/api-keys"),
                Some(r#"{"name":"k","role":"owner"}"#),
                400,
                "malformed_body",
                Some("body"),
            ),
            (
                "POST",
                format!("/v1/leases/{l}/extend"),
                Some(r#"{"by":true}"#),
                400,
                "malformed_body",
                Some("body"),
            ),
            (
                "POST",
                format!("/v1/leases/{l}/extend"),
                None,
                415,
                "unsupported_media_type",
                Some("Content-Type"),
            ),
        ],
    )
    .await;
    let before = app.snapshot().await;
    let r = app
        .request(
            "POST",
            "/v1/leases",
            Some(&w.member),
            Some(r#"{"profile":"1g.10gb","duration":"1h"}"#),
            &[("content-type", "text/plain")],
        )
        .await;
    assert_eq!(
        r.problem(415, "unsupported_media_type")["field"],
        "Content-Type"
    );
    let huge = json!({"profile": "1g.10gb", "duration": "1h",
                      "labels": {"pad": "x".repeat(100 * 1024)}})
    .to_string();
    let r = app
        .request("POST", "/v1/leases", Some(&w.member), Some(&huge), &[])
        .await;
    assert_eq!(r.problem(413, "payload_too_large")["field"], "body");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn viewers_cannot_create_extend_or_release_leases() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let l = &w.lease;
    expect_problems(
        &app,
        Some(&w.viewer),
        &[
            (
                "POST",
                "/v1/leases".into(),
                Some(r#"{"profile":"1g.10gb","duration":"1h"}"#),
                403,
                "forbidden",
                None,
            ),
            (
                "POST",
                format!("/v1/leases/{l}/extend"),
                Some(r#"{"by":"1h"}"#),
                403,
                "forbidden",
                None,
            ),
            (
                "POST",
                format!("/v1/leases/{l}/release"),
                None,
                403,
                "forbidden",
                None,
            ),
            (
                "POST",
                format!("/v1/leases/{l}/revoke"),
                None,
                403,
                "forbidden",
                None,
            ),
            (
                "GET",
                format!("/v1/tenants/{}/api-keys", w.tenant),
                None,
                403,
                "forbidden",
                None,
            ),
        ],
    )
    .await;
    // Reading is what viewers are for.
    app.get(&format!("/v1/leases/{l}"), &w.viewer).await.ok(200);
    app.get("/v1/leases", &w.viewer).await.ok(200);
}

#[tokio::test]
async fn members_cannot_use_admin_endpoints() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (t, l, g, h) = (&w.tenant, &w.lease, &w.gpu, &w.host);
    expect_problems(
        &app,
        Some(&w.member),
        &[
            ("GET", "/v1/tenants".into(), None, 403, "forbidden", None),
            (
                "POST",
                "/v1/tenants".into(),
                Some(r#"{"name":"b"}"#),
                403,
                "forbidden",
                None,
            ),
            (
                "PATCH",
                format!("/v1/tenants/{t}"),
                Some(r#"{"display_name":"x"}"#),
                403,
                "forbidden",
                None,
            ),
            (
                "GET",
                format!("/v1/tenants/{t}/audit"),
                None,
                403,
                "forbidden",
                None,
            ),
            (
                "GET",
                format!("/v1/tenants/{t}/api-keys"),
                None,
                403,
                "forbidden",
                None,
            ),
            (
                "POST",
                format!("/v1/tenants/{t}/api-keys"),
                Some(r#"{"name":"k","role":"member"}"#),
                403,
                "forbidden",
                None,
            ),
            (
                "POST",
                format!("/v1/leases/{l}/revoke"),
                None,
                403,
                "forbidden",
                None,
            ),
            (
                "POST",
                format!("/v1/gpus/{g}/cordon"),
                None,
                403,
                "forbidden",
                None,
            ),
            (
                "POST",
                format!("/v1/gpus/{g}/uncordon"),
                None,
                403,
                "forbidden",
                None,
            ),
            (
                "POST",
                format!("/v1/hosts/{h}/cordon"),
                None,
                403,
                "forbidden",
                None,
            ),
            (
                "POST",
                format!("/v1/hosts/{h}/uncordon"),
                None,
                403,
                "forbidden",
                None,
            ),
        ],
    )
    .await;
    let admin = app.admin_token().await;
    expect_problems(
        &app,
        Some(&admin),
        &[(
            "POST",
            "/v1/leases".into(),
            Some(r#"{"profile":"1g.10gb","duration":"1h"}"#),
            403,
            "forbidden",
            None,
        )],
    )
    .await;
}

#[tokio::test]
async fn unknown_and_other_tenants_objects_are_not_found() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let t = &w.tenant;
    let n = NIL;
    expect_problems(
        &app,
        Some(&admin),
        &[
            (
                "GET",
                format!("/v1/tenants/{n}"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "PATCH",
                format!("/v1/tenants/{n}"),
                Some(r#"{"display_name":"x"}"#),
                404,
                "not_found",
                None,
            ),
            (
                "GET",
                format!("/v1/tenants/{n}/audit"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "GET",
                format!("/v1/tenants/{n}/api-keys"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "POST",
                format!("/v1/tenants/{n}/api-keys"),
                Some(r#"{"name":"k","role":"member"}"#),
                404,
                "not_found",
                None,
            ),
            (
                "POST",
                format!("/v1/tenants/{t}/api-keys/{n}/revoke"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "GET",
                format!("/v1/leases/{n}"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "POST",
                format!("/v1/leases/{n}/extend"),
                Some(r#"{"by":"1h"}"#),
                404,
                "not_found",
                None,
            ),
            (
                "POST",
                format!("/v1/leases/{n}/release"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "POST",
                format!("/v1/leases/{n}/revoke"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "GET",
                format!("/v1/leases/{n}/events"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "POST",
                format!("/v1/gpus/{n}/cordon"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "POST",
                format!("/v1/gpus/{n}/uncordon"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "POST",
                format!("/v1/hosts/{n}/cordon"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "POST",
                format!("/v1/hosts/{n}/uncordon"),
                None,
                404,
                "not_found",
                None,
            ),
        ],
    )
    .await;
    // Another tenant's member sees none of team-a.
    let (_, other) = app.tenant("team-b", Value::Null).await;
    let l = &w.lease;
    expect_problems(
        &app,
        Some(&other),
        &[
            (
                "GET",
                format!("/v1/tenants/{t}"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "GET",
                format!("/v1/tenants/{t}/api-keys"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "POST",
                format!("/v1/tenants/{t}/api-keys"),
                Some(r#"{"name":"k","role":"member"}"#),
                404,
                "not_found",
                None,
            ),
            (
                "GET",
                format!("/v1/leases/{l}/events"),
                None,
                404,
                "not_found",
                None,
            ),
            (
                "GET",
                format!(
                    "/v1/usage?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z&tenant_id={t}"
                ),
                None,
                404,
                "not_found",
                None,
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn extensions_and_transitions_the_lease_cannot_make_are_refused() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app
        .tenant(
            "team-a",
            json!({"max_live_compute_slices": null, "max_live_memory_gib": null,
            "max_live_leases": null, "max_lease_seconds": 7200, "max_total_extension_seconds": 3600,
            "default_idle_timeout_seconds": 3600, "allowed_gpu_models": [],
            "monthly_budget_slice_hours": null}),
        )
        .await;
    let live = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "1g.10gb", "duration": "1h"}),
        )
        .await;
    let live = live.ok(201)["id"].as_str().unwrap().to_owned();
    let ended = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "1g.10gb", "duration": "1h"}),
        )
        .await;
    let ended = ended.ok(201)["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/leases/{ended}/release"), &team, &json!({}))
        .await
        .ok(200);
    // With 1g slices live a 7g does not fit: queue one as pending.
    app.post(
        "/v1/leases",
        &team,
        &json!({"profile": "1g.10gb", "duration": "1h"}),
    )
    .await
    .ok(201);
    let pending = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "7g.80gb", "duration": "1h", "wait": true}),
        )
        .await;
    let pending = pending.ok(202)["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/v1/leases/{live}/extend"),
        &team,
        &json!({"by": "30m"}),
    )
    .await
    .ok(200);
    let admin = app.admin_token().await;
    expect_problems(
        &app,
        Some(&team),
        &[
            (
                "POST",
                format!("/v1/leases/{live}/extend"),
                Some(r#"{"by":0}"#),
                400,
                "invalid_input",
                Some("by"),
            ),
            (
                "POST",
                format!("/v1/leases/{live}/extend"),
                Some(r#"{"by":"-1h"}"#),
                400,
                "invalid_input",
                Some("by"),
            ),
            (
                "POST",
                format!("/v1/leases/{live}/extend"),
                Some(r#"{"by":"soon"}"#),
                400,
                "invalid_input",
                Some("by"),
            ),
            // 30m already added; 31m more passes the 1h in total.
            (
                "POST",
                format!("/v1/leases/{live}/extend"),
                Some(r#"{"by":"31m"}"#),
                422,
                "policy_violation",
                Some("by"),
            ),
            (
                "POST",
                format!("/v1/leases/{ended}/extend"),
                Some(r#"{"by":"1m"}"#),
                409,
                "illegal_transition",
                None,
            ),
            (
                "POST",
                format!("/v1/leases/{pending}/extend"),
                Some(r#"{"by":"1m"}"#),
                409,
                "illegal_transition",
                None,
            ),
            (
                "POST",
                format!("/v1/leases/{ended}/release"),
                None,
                409,
                "illegal_transition",
                None,
            ),
        ],
    )
    .await;
    expect_problems(
        &app,
        Some(&admin),
        &[
            (
                "POST",
                format!("/v1/leases/{ended}/revoke"),
                None,
                409,
                "illegal_transition",
                None,
            ),
            (
                "POST",
                format!("/v1/leases/{live}/extend"),
                Some(r#"{"by":"31m"}"#),
                422,
                "policy_violation",
                Some("by"),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn lease_requests_outside_the_tenants_policy_name_the_field() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app
        .tenant(
            "team-a",
            json!({"max_live_compute_slices": null, "max_live_memory_gib": 20,
            "max_live_leases": 1, "max_lease_seconds": 7200, "max_total_extension_seconds": 0,
            "default_idle_timeout_seconds": 600, "allowed_gpu_models": ["a100-40gb", "h100-80gb"],
            "monthly_budget_slice_hours": null}),
        )
        .await;
    app.post(
        "/v1/leases",
        &team,
        &json!({"profile": "1g.10gb", "duration": "1h"}),
    )
    .await
    .ok(201);
    let long_key = "k".repeat(201);
    let lease = |extra: Value| {
        let mut body = json!({"profile": "1g.10gb", "duration": "1h"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        Some(body.to_string())
    };
    let cases: Vec<(Option<String>, u16, &str, Option<&str>)> = vec![
        (
            lease(json!({"duration": "3h"})),
            422,
            "policy_violation",
            Some("duration"),
        ),
        (
            lease(json!({"duration": "P1Y"})),
            400,
            "invalid_input",
            Some("duration"),
        ),
        (
            lease(json!({"duration": -60})),
            400,
            "invalid_input",
            Some("duration"),
        ),
        (
            lease(json!({"idle_timeout": "1h"})),
            422,
            "policy_violation",
            Some("idle_timeout"),
        ),
        (
            lease(json!({"idle_timeout": "0s"})),
            400,
            "invalid_input",
            Some("idle_timeout"),
        ),
        (
            lease(json!({"gpu_models": ["a100-80gb"]})),
            422,
            "policy_violation",
            Some("gpu_models"),
        ),
        (
            lease(json!({"gpu_models": ["h100-80gb", "h9000"]})),
            400,
            "invalid_input",
            Some("gpu_models[1]"),
        ),
        (
            lease(json!({"profile": "2g.20gb", "min_memory_gib": 20})),
            400,
            "invalid_input",
            Some("profile"),
        ),
        (
            lease(json!({"count": 65})),
            400,
            "invalid_input",
            Some("count"),
        ),
        // One live lease is the most: the quota, whatever the request.
        (lease(json!({})), 422, "quota_exceeded", None),
    ];
    let before = app.snapshot().await;
    for (body, status, code, field) in &cases {
        let r = app
            .request("POST", "/v1/leases", Some(&team), body.as_deref(), &[])
            .await;
        let p = r.problem(*status, code);
        assert_eq!(
            p.get("field").and_then(Value::as_str),
            *field,
            "{body:?}: {p}"
        );
    }
    let r = app
        .request(
            "POST",
            "/v1/leases",
            Some(&team),
            lease(json!({})).as_deref(),
            &[("idempotency-key", &long_key)],
        )
        .await;
    assert_eq!(r.problem(400, "invalid_input")["field"], "Idempotency-Key");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn list_and_usage_queries_name_the_bad_parameter() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let day = "from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z";
    let q = |p: &str| format!("/v1/leases?{p}");
    let u = |p: &str| format!("/v1/usage?{p}");
    expect_problems(
        &app,
        Some(&w.member),
        &[
            (
                "GET",
                q("limit=0"),
                None,
                400,
                "invalid_input",
                Some("limit"),
            ),
            (
                "GET",
                q("limit=501"),
                None,
                400,
                "invalid_input",
                Some("limit"),
            ),
            (
                "GET",
                q("limit=ten"),
                None,
                400,
                "invalid_input",
                Some("limit"),
            ),
            (
                "GET",
                q("state=asleep"),
                None,
                400,
                "invalid_input",
                Some("state"),
            ),
            (
                "GET",
                q("label=novalue"),
                None,
                400,
                "invalid_input",
                Some("label"),
            ),
            (
                "GET",
                q("cursor=abc"),
                None,
                400,
                "invalid_input",
                Some("cursor"),
            ),
            (
                "GET",
                q("tenant_id=abc"),
                None,
                400,
                "invalid_input",
                Some("tenant_id"),
            ),
            (
                "GET",
                q("colour=red"),
                None,
                400,
                "invalid_input",
                Some("colour"),
            ),
            (
                "GET",
                u("to=2025-01-02T00:00:00Z"),
                None,
                400,
                "invalid_input",
                Some("from"),
            ),
            (
                "GET",
                u("from=yesterday&to=2025-01-02T00:00:00Z"),
                None,
                400,
                "invalid_input",
                Some("from"),
            ),
            (
                "GET",
                u("from=2025-01-01T00:00:00Z&to=2025-13-02"),
                None,
                400,
                "invalid_input",
                Some("to"),
            ),
            (
                "GET",
                u("from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z"),
                None,
                400,
                "invalid_input",
                Some("to"),
            ),
            (
                "GET",
                u("from=2025-01-01T00:00:00Z&to=2025-01-01T00:00:00Z"),
                None,
                400,
                "invalid_input",
                Some("to"),
            ),
            (
                "GET",
                u("from=2024-01-01T00:00:00Z&to=2025-06-01T00:00:00Z"),
                None,
                400,
                "invalid_input",
                Some("to"),
            ),
            (
                "GET",
                u(&format!("{day}&colour=red")),
                None,
                400,
                "invalid_input",
                Some("colour"),
            ),
            (
                "GET",
                u(&format!("{day}&tenant_id=1")),
                None,
                400,
                "invalid_input",
                Some("tenant_id"),
            ),
        ],
    )
    .await;
    app.get(&u(day), &w.member).await.ok(200);
}

#[tokio::test]
async fn tenant_key_and_token_inputs_are_checked() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let t = &w.tenant;
    let k = app
        .post(
            &format!("/v1/tenants/{t}/api-keys"),
            &admin,
            &json!({"name": "gone", "role": "member"}),
        )
        .await;
    let kid = k.ok(201)["key"]["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/v1/tenants/{t}/api-keys/{kid}/revoke"),
        &admin,
        &json!({}),
    )
    .await
    .ok(200);
    expect_problems(
        &app,
        Some(&admin),
        &[
            ("POST", "/v1/tenants".into(), Some(r#"{"name":"Team A"}"#), 400, "invalid_input", Some("name")),
            ("POST", "/v1/tenants".into(), Some(r#"{"name":"team-a"}"#), 409, "conflict", None),
            (
                "POST",
                "/v1/tenants".into(),
                Some(r#"{"name":"b","policy":{"max_live_compute_slices":null,"max_live_memory_gib":null,"max_live_leases":null,"max_lease_seconds":0,"max_total_extension_seconds":0,"default_idle_timeout_seconds":60,"allowed_gpu_models":[],"monthly_budget_slice_hours":null}}"#),
                400,
                "invalid_input",
                Some("policy.max_lease_seconds"),
            ),
            ("PATCH", format!("/v1/tenants/{t}"), Some(r#"{"display_name":" "}"#), 400, "invalid_input", Some("display_name")),
            (
                "POST",
                format!("/v1/tenants/{t}/api-keys"),
                Some(r#"{"name":"","role":"member"}"#),
                400,
                "invalid_input",
                Some("name"),
            ),
            (
                "POST",
                format!("/v1/tenants/{t}/api-keys"),
                Some(r#"{"name":"root","role":"admin"}"#),
                400,
                "invalid_input",
                Some("role"),
            ),
            ("POST", format!("/v1/tenants/{t}/api-keys/{kid}/revoke"), None, 409, "already_revoked", None),
        ],
    )
    .await;
    expect_problems(
        &app,
        None,
        &[
            (
                "POST",
                "/v1/auth/token".into(),
                Some(r#"{"api_key":"sbk_0000000000000000000000000000000000000000000"}"#),
                401,
                "unauthenticated",
                None,
            ),
            (
                "POST",
                "/v1/auth/token".into(),
                Some(r#"{"api_key":""}"#),
                401,
                "unauthenticated",
                None,
            ),
        ],
    )
    .await;
}
