//! Leases over HTTP: grant, show, release, the 4xx/503 paths, idempotency and concurrency.

use crate::harness::spawn_app;
use serde_json::{Value, json};
use std::collections::HashSet;

#[tokio::test]
async fn a_granted_lease_has_a_placement_and_release_ends_it() {
    let app = spawn_app().await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let r = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "2g.20gb", "duration": "8h", "labels": {"job": "x"}}),
        )
        .await;
    let lease = r.ok(201).clone();
    assert_eq!(lease["state"], "provisioning");
    assert_eq!(lease["slices"][0]["profile"], "2g.20gb");
    assert_eq!(lease["slices"][0]["size"], 2);
    let id = lease["id"].as_str().unwrap();
    let shown = app.get(&format!("/v1/leases/{id}"), &team).await;
    assert_eq!(
        &without_view_only_fields(shown.ok(200)),
        &lease,
        "the lease a grant returns is the one the database holds"
    );
    let list = app.get("/v1/leases?label=job=x", &team).await;
    assert_eq!(list.ok(200)["items"].as_array().unwrap().len(), 1);
    let released = app
        .post(&format!("/v1/leases/{id}/release"), &team, &json!({}))
        .await;
    assert_eq!(released.ok(200)["state"], "ended");
    assert_eq!(released.body["end_reason"], "released");
    let before = app.snapshot().await;
    app.post(&format!("/v1/leases/{id}/release"), &team, &json!({}))
        .await
        .problem(409, "illegal_transition");
    assert_eq!(app.snapshot().await, before);
    let events = app.get(&format!("/v1/leases/{id}/events"), &team).await;
    let kinds: Vec<&str> = events
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["granted", "released", "ended"]);
}

#[tokio::test]
async fn another_tenants_lease_is_not_found() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, a) = app.tenant("team-a", Value::Null).await;
    let (_, b) = app.tenant("team-b", Value::Null).await;
    let lease = app
        .post(
            "/v1/leases",
            &a,
            &json!({"profile": "1g.10gb", "duration": 3600}),
        )
        .await;
    let id = lease.ok(201)["id"].as_str().unwrap().to_owned();
    let before = app.snapshot().await;
    app.get(&format!("/v1/leases/{id}"), &b)
        .await
        .problem(404, "not_found");
    app.post(&format!("/v1/leases/{id}/release"), &b, &json!({}))
        .await
        .problem(404, "not_found");
    app.post(&format!("/v1/leases/{id}/extend"), &b, &json!({"by": "1h"}))
        .await
        .problem(404, "not_found");
    assert_eq!(
        app.get("/v1/leases", &b).await.ok(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn bad_lease_requests_are_problems_naming_the_field_and_change_nothing() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app
        .tenant("team-a", json!({"max_live_compute_slices": 3, "max_live_memory_gib": null, "max_live_leases": null, "max_lease_seconds": 86400, "max_total_extension_seconds": 3600, "default_idle_timeout_seconds": 3600, "allowed_gpu_models": [], "monthly_budget_slice_hours": null}))
        .await;
    let before = app.snapshot().await;
    let cases = [
        (
            json!({"profile": "9g.90gb", "duration": "1h"}),
            400,
            "invalid_input",
            "profile",
        ),
        (
            json!({"profile": "2g.20gb", "duration": "-5"}),
            400,
            "invalid_input",
            "duration",
        ),
        (
            json!({"profile": "2g.20gb", "duration": 0}),
            400,
            "invalid_input",
            "duration",
        ),
        (
            json!({"profile": "2g.20gb", "duration": "3d"}),
            422,
            "policy_violation",
            "duration",
        ),
        (
            json!({"profile": "2g.20gb", "duration": "1h", "gpu_models": ["tpu-v5"]}),
            400,
            "invalid_input",
            "/gpu_models/0",
        ),
        (
            json!({"profile": "2g.20gb", "duration": "1h", "count": 0}),
            400,
            "invalid_input",
            "count",
        ),
        (
            json!({"profile": "2g.20gb", "duration": "1h", "labels": {"bad key": "x"}}),
            400,
            "invalid_input",
            "/labels/bad key",
        ),
        (json!({"duration": "1h"}), 400, "invalid_input", "profile"),
        (
            json!({"profile": "2g.20gb", "duration": "1h", "bogus": 1}),
            400,
            "malformed_body",
            "bogus",
        ),
    ];
    for (body, status, code, field) in cases {
        let r = app.post("/v1/leases", &team, &body).await;
        assert_eq!(r.problem(status, code)["field"], field, "{body}");
    }
    let r = app
        .request("POST", "/v1/leases", Some(&team), Some("{not json"), &[])
        .await;
    r.problem(400, "malformed_body");
    let r = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "4g.40gb", "duration": "1h"}),
        )
        .await;
    r.problem(422, "quota_exceeded");
    assert_eq!(
        app.snapshot().await,
        before,
        "rejected requests leave the database unchanged"
    );
}

#[tokio::test]
async fn no_capacity_is_503_saying_what_is_free() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    app.post(
        "/v1/leases",
        &team,
        &json!({"profile": "4g.40gb", "duration": "1h"}),
    )
    .await
    .ok(201);
    let before = app.snapshot().await;
    let r = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "7g.80gb", "duration": "1h"}),
        )
        .await;
    let p = r.problem(503, "no_capacity");
    let free = p["free"].as_array().unwrap();
    assert!(
        free.iter()
            .any(|f| f["profile"] == "3g.40gb" && f["available"] == 1),
        "{p}"
    );
    assert!(p["next_free_at"].is_string(), "{p}");
    assert_eq!(app.snapshot().await, before);
    let queued = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "7g.80gb", "duration": "1h", "wait": true}),
        )
        .await;
    assert_eq!(queued.ok(202)["state"], "pending");
    let id = queued.body["id"].as_str().unwrap();
    let shown = app.get(&format!("/v1/leases/{id}"), &team).await;
    assert_eq!(&without_view_only_fields(shown.ok(200)), &queued.body);
}

#[tokio::test]
async fn a_retried_request_with_the_same_idempotency_key_returns_the_same_lease() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let body = json!({"profile": "1g.10gb", "duration": "1h"}).to_string();
    let h = [("idempotency-key", "job-42")];
    let first = app
        .request("POST", "/v1/leases", Some(&team), Some(&body), &h)
        .await;
    let second = app
        .request("POST", "/v1/leases", Some(&team), Some(&body), &h)
        .await;
    assert_eq!(first.ok(201)["id"], second.ok(200)["id"]);
    let other = json!({"profile": "2g.20gb", "duration": "1h"}).to_string();
    app.request("POST", "/v1/leases", Some(&team), Some(&other), &h)
        .await
        .problem(409, "idempotency_key_reused");
}

#[tokio::test]
async fn concurrent_requests_never_overlap_or_exceed_quota() {
    let app = spawn_app().await;
    // 4 GPUs × 7 1g slices = 28 places for 64 requests from two tenants.
    app.seed_fleet(2, 2, "h100-80gb").await;
    let quota = json!({"max_live_compute_slices": 10, "max_live_memory_gib": null, "max_live_leases": null, "max_lease_seconds": 86400, "max_total_extension_seconds": 0, "default_idle_timeout_seconds": 3600, "allowed_gpu_models": [], "monthly_budget_slice_hours": null});
    let (ta, a) = app.tenant("team-a", quota.clone()).await;
    let (tb, b) = app.tenant("team-b", Value::Null).await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..64 {
        let app = app.clone();
        let token = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            app.post(
                "/v1/leases",
                &token,
                &json!({"profile": "1g.10gb", "duration": "1h"}),
            )
            .await
        }));
    }
    let mut granted = HashSet::new();
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            201 => {
                granted.insert(r.body["id"].as_str().unwrap().to_owned());
            }
            422 => assert_eq!(r.body["code"], "quota_exceeded"),
            503 => assert_eq!(r.body["code"], "no_capacity"),
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    let db = app.app.db();
    let committed: Vec<String> =
        sqlx::query_scalar("SELECT id::text FROM leases WHERE state <> 'ended'")
            .fetch_all(db)
            .await
            .unwrap();
    assert_eq!(
        committed.into_iter().collect::<HashSet<_>>(),
        granted,
        "every success is committed"
    );
    assert_eq!(
        granted.len(),
        10 + 18,
        "team-a fills its quota of 10, team-b the remaining 18"
    );
    assert_eq!(app.overlapping_slices().await, 0);
    for (tenant, max) in [(ta, 10i64), (tb, 28)] {
        let used: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(s.compute_slices), 0)::bigint FROM slices s JOIN leases l ON l.id = s.lease_id
             WHERE l.tenant_id = $1::uuid AND s.released_at IS NULL",
        )
        .bind(&tenant)
        .fetch_one(db)
        .await
        .unwrap();
        assert!(used <= max, "tenant {tenant} holds {used} > {max}");
    }
}

/// The hosts' desired generations, by host name.
async fn generations(app: &crate::harness::TestApp) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT name, desired_generation FROM hosts ORDER BY name")
        .fetch_all(app.app.db())
        .await
        .unwrap()
}

#[tokio::test]
async fn grant_and_release_bump_each_host_once_and_release_writes_both_events() {
    let app = spawn_app().await;
    app.seed_fleet(2, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let g0 = generations(&app).await;
    let r = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "7g.80gb", "count": 2, "duration": "1h"}),
        )
        .await;
    let lease = r.ok(201).clone();
    let hosts: HashSet<&str> = lease["slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["host"].as_str().unwrap())
        .collect();
    assert_eq!(hosts.len(), 2, "one whole GPU on each host");
    let g1 = generations(&app).await;
    for (before, after) in g0.iter().zip(&g1) {
        assert_eq!(
            after.1,
            before.1 + 1,
            "a grant bumps each of its hosts once"
        );
    }
    let id = lease["id"].as_str().unwrap();
    let released = app
        .post(&format!("/v1/leases/{id}/release"), &team, &json!({}))
        .await;
    let released = released.ok(200).clone();
    assert_eq!(released["state"], "ended");
    assert_eq!(released["end_reason"], "released");
    assert!(released["ended_at"].is_string());
    assert_eq!(released["slices"].as_array().unwrap().len(), 2);
    assert!(
        released["slices"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["released_at"].is_string())
    );
    let shown = app.get(&format!("/v1/leases/{id}"), &team).await;
    assert_eq!(
        &without_view_only_fields(shown.ok(200)),
        &released,
        "the lease a release returns is the one the database holds"
    );
    let g2 = generations(&app).await;
    for (before, after) in g1.iter().zip(&g2) {
        assert_eq!(
            after.1,
            before.1 + 1,
            "a release bumps each of its hosts once"
        );
    }
    let events = app.get(&format!("/v1/leases/{id}/events"), &team).await;
    let events: Vec<(String, Value, Value, Value)> = events
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["kind"].as_str().unwrap().to_owned(),
                e["from_state"].clone(),
                e["to_state"].clone(),
                e["detail"]["reason"].clone(),
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            (
                "granted".into(),
                Value::Null,
                json!("provisioning"),
                Value::Null
            ),
            (
                "released".into(),
                json!("provisioning"),
                json!("releasing"),
                json!("released")
            ),
            (
                "ended".into(),
                json!("releasing"),
                json!("ended"),
                json!("released")
            ),
        ]
    );
}

#[tokio::test]
async fn a_queued_lease_that_fits_the_quota_is_granted_when_capacity_frees() {
    let app = spawn_app().await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let quota = json!({"max_live_compute_slices": null, "max_live_memory_gib": null, "max_live_leases": 2, "max_lease_seconds": 86400, "max_total_extension_seconds": 0, "default_idle_timeout_seconds": 3600, "allowed_gpu_models": [], "monthly_budget_slice_hours": null});
    let (_, team) = app.tenant("team-a", quota).await;
    let (_, other) = app.tenant("team-b", Value::Null).await;
    let whole = json!({"profile": "7g.80gb", "duration": "1h"});
    let theirs = app.post("/v1/leases", &other, &whole).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post("/v1/leases", &team, &whole).await.ok(201);
    // Both GPUs are full: the team's second lease waits, its last under `max_live_leases`.
    let queued = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "1g.10gb", "duration": "1h", "wait": true}),
        )
        .await;
    let id = queued.ok(202)["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/leases/{theirs}/release"), &other, &json!({}))
        .await
        .ok(200);
    crate::harness::wait_until(
        std::time::Duration::from_secs(20),
        "the queued lease to be granted: it is one of the two the quota allows",
        async || {
            let state = app.get(&format!("/v1/leases/{id}"), &team).await.body["state"].clone();
            if state == "provisioning" {
                Ok(())
            } else {
                Err(state)
            }
        },
    )
    .await;
}

/// The lease as `GET /v1/leases/{id}` shows it, less the `usage` and `health` only that view
/// fills in (write answers and lists carry `null`).
fn without_view_only_fields(shown: &serde_json::Value) -> serde_json::Value {
    let mut v = shown.clone();
    assert!(v["usage"].is_object(), "the view shows its usage: {v}");
    assert!(v["health"]["gpus"].is_array(), "and its GPUs' health: {v}");
    v["usage"] = serde_json::Value::Null;
    v["health"] = serde_json::Value::Null;
    v
}
