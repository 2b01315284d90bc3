//! The 4xx paths of the lease and usage endpoints: extensions and transitions a lease cannot
//! make, requests outside the tenant's policy, and bad list and usage queries.

use crate::errors::{Case, expect_problems, r, world};
use crate::harness::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn extensions_and_transitions_the_lease_cannot_make_are_refused() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let policy = json!({"max_live_compute_slices": null, "max_live_memory_gib": null,
        "max_live_leases": null, "max_lease_seconds": 7200, "max_total_extension_seconds": 3600,
        "default_idle_timeout_seconds": 3600, "allowed_gpu_models": [],
        "monthly_budget_slice_hours": null});
    let (_, team) = app.tenant("team-a", policy).await;
    let create = |body: Value| {
        let (app, team) = (&app, &team);
        async move { app.post("/v1/leases", team, &body).await }
    };
    let one = json!({"profile": "1g.10gb", "duration": "1h"});
    let live = create(one.clone()).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ended = create(one.clone()).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(&format!("/v1/leases/{ended}/release"), &team, &json!({}))
        .await
        .ok(200);
    // With 1g slices live a 7g does not fit: queue one as pending.
    let wait = json!({"profile": "7g.80gb", "duration": "1h", "wait": true});
    let pending = create(wait).await.ok(202)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let extend = |id: &str| format!("POST /v1/leases/{id}/extend");
    app.post(
        &format!("/v1/leases/{live}/extend"),
        &team,
        &json!({"by": "30m"}),
    )
    .await
    .ok(200);
    let illegal = |req: String, body| (req, body, 409, "illegal_transition", None);
    #[rustfmt::skip]
    let cases = [
        (extend(&live), Some(r#"{"by":0}"#), 400, "invalid_input", Some("by")),
        (extend(&live), Some(r#"{"by":"-1h"}"#), 400, "invalid_input", Some("by")),
        (extend(&live), Some(r#"{"by":"soon"}"#), 400, "invalid_input", Some("by")),
        // 30m already added; 31m more passes the 1h allowed in total.
        (extend(&live), Some(r#"{"by":"31m"}"#), 422, "policy_violation", Some("by")),
        illegal(extend(&ended), Some(r#"{"by":"1m"}"#)),
        illegal(extend(&pending), Some(r#"{"by":"1m"}"#)),
        illegal(format!("POST /v1/leases/{ended}/release"), None),
    ];
    expect_problems(&app, Some(&team), &cases).await;
    let admin = app.admin_token().await;
    #[rustfmt::skip]
    let cases = [
        illegal(format!("POST /v1/leases/{ended}/revoke"), None),
        (extend(&live), Some(r#"{"by":"31m"}"#), 422, "policy_violation", Some("by")),
    ];
    expect_problems(&app, Some(&admin), &cases).await;
}

#[tokio::test]
async fn lease_requests_outside_the_tenants_policy_name_the_field() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let policy = json!({"max_live_compute_slices": null, "max_live_memory_gib": 20,
        "max_live_leases": 1, "max_lease_seconds": 7200, "max_total_extension_seconds": 0,
        "default_idle_timeout_seconds": 600, "allowed_gpu_models": ["a100-40gb", "h100-80gb"],
        "monthly_budget_slice_hours": null});
    let (_, team) = app.tenant("team-a", policy).await;
    let one = json!({"profile": "1g.10gb", "duration": "1h"});
    app.post("/v1/leases", &team, &one).await.ok(201);
    let with = |extra: &Value| {
        let mut body = one.clone();
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body.to_string()
    };
    #[rustfmt::skip]
    let table = [
        (json!({"duration": "3h"}), 422, "policy_violation", Some("duration")),
        (json!({"duration": "P1Y"}), 400, "invalid_input", Some("duration")),
        (json!({"duration": -60}), 400, "invalid_input", Some("duration")),
        (json!({"idle_timeout": "1h"}), 422, "policy_violation", Some("idle_timeout")),
        (json!({"idle_timeout": "0s"}), 400, "invalid_input", Some("idle_timeout")),
        (json!({"gpu_models": ["a100-80gb"]}), 422, "policy_violation", Some("gpu_models")),
        (json!({"gpu_models": ["h100-80gb", "h9"]}), 400, "invalid_input", Some("/gpu_models/1")),
        // An H200 profile: it exists, but not on the models this tenant may use.
        (json!({"profile": "1g.18gb"}), 422, "policy_violation", Some("profile")),
        (json!({"profile": "9g.1gb"}), 400, "invalid_input", Some("profile")),
        (json!({"profile": "2g", "min_memory_gib": 20}), 400, "invalid_input", Some("profile")),
        (json!({"count": 65}), 400, "invalid_input", Some("count")),
        // One live lease is the most: the quota, whatever the request.
        (json!({}), 422, "quota_exceeded", None),
    ];
    let bodies: Vec<String> = table.iter().map(|(extra, ..)| with(extra)).collect();
    let cases: Vec<Case> = table
        .iter()
        .zip(&bodies)
        .map(|((_, status, code, field), body)| {
            (
                r("POST /v1/leases"),
                Some(body.as_str()),
                *status,
                *code,
                *field,
            )
        })
        .collect();
    expect_problems(&app, Some(&team), &cases).await;
    let before = app.snapshot().await;
    let body = with(&json!({}));
    for bad in ["k".repeat(201), "a b".into(), "a\tb".into()] {
        let key = [("idempotency-key", bad.as_str())];
        let r = app
            .request("POST", "/v1/leases", Some(&team), Some(&body), &key)
            .await;
        assert_eq!(
            r.problem(400, "invalid_input")["field"],
            "Idempotency-Key",
            "{bad:?}"
        );
    }
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn list_and_usage_queries_name_the_bad_parameter() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let day = "from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z";
    let bad = |req: String, field| (req, None, 400, "invalid_input", Some(field));
    let q = |p: &str| format!("GET /v1/leases?{p}");
    let u = |p: &str| format!("GET /v1/usage?{p}");
    #[rustfmt::skip]
    let cases = [
        bad(q("limit=0"), "limit"),
        bad(q("limit=501"), "limit"),
        bad(q("limit=ten"), "limit"),
        bad(q("state=asleep"), "state"),
        bad(q("label=novalue"), "label"),
        bad(q("cursor=abc"), "cursor"),
        bad(q("tenant_id=abc"), "tenant_id"),
        bad(q("colour=red"), "colour"),
        bad(u("to=2025-01-02T00:00:00Z"), "from"),
        bad(u("from=yesterday&to=2025-01-02T00:00:00Z"), "from"),
        bad(u("from=2025-01-01T00:00:00Z&to=2025-13-02"), "to"),
        bad(u("from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z"), "to"),
        bad(u("from=2025-01-01T00:00:00Z&to=2025-01-01T00:00:00Z"), "to"),
        bad(u("from=2024-01-01T00:00:00Z&to=2025-06-01T00:00:00Z"), "to"),
        bad(u(&format!("{day}&colour=red")), "colour"),
        bad(u(&format!("{day}&tenant_id=1")), "tenant_id"),
    ];
    expect_problems(&app, Some(&w.member), &cases).await;
    app.get(&format!("/v1/usage?{day}"), &w.member)
        .await
        .ok(200);
    // The right-sizing report takes the same period, bounded alike.
    let rs = |p: &str| format!("GET /v1/usage/rightsizing?{p}");
    #[rustfmt::skip]
    let cases = [
        bad(rs("to=2025-01-02T00:00:00Z"), "from"),
        bad(rs("from=yesterday&to=2025-01-02T00:00:00Z"), "from"),
        bad(rs("from=0001-01-01T00:00:00Z&to=0001-02-01T00:00:00Z"), "from"),
        bad(rs("from=2025-01-01T00:00:00Z"), "to"),
        bad(rs("from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z"), "to"),
        bad(rs("from=2024-01-01T00:00:00Z&to=2025-06-01T00:00:00Z"), "to"),
        bad(rs(&format!("{day}&format=csv")), "format"),
        bad(rs(&format!("{day}&tenant_id=1")), "tenant_id"),
    ];
    expect_problems(&app, Some(&w.member), &cases).await;
    let rows = app
        .get(&format!("/v1/usage/rightsizing?{day}"), &w.member)
        .await;
    assert_eq!(rows.ok(200), &serde_json::json!([]));
}

#[tokio::test]
async fn a_body_sent_where_none_is_taken_is_refused_not_ignored() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let admin = app.admin_token().await;
    let one = json!({"profile": "1g.10gb", "duration": "1h"});
    let id = app.post("/v1/leases", &team, &one).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = app.snapshot().await;
    for (path, token, body, ct) in [
        ("release", &team, "this is not json", "text/xml"),
        ("release", &team, r#"{"now": true}"#, "application/json"),
        (
            "revoke",
            &admin,
            r#"{"reason": "maintenance"}"#,
            "application/json",
        ),
    ] {
        let r = app
            .request(
                "POST",
                &format!("/v1/leases/{id}/{path}"),
                Some(token),
                Some(body),
                &[("content-type", ct)],
            )
            .await;
        assert_eq!(r.problem(400, "malformed_body")["field"], "body", "{body}");
    }
    assert_eq!(app.snapshot().await, before, "refused: the lease runs on");
    // No body, or `{}`, as before.
    app.request(
        "POST",
        &format!("/v1/leases/{id}/release"),
        Some(&team),
        None,
        &[],
    )
    .await
    .ok(200);
}
