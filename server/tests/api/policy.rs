//! The monthly budget in compute-slice-hours: grants and extensions past it are refused with
//! `budget_exceeded`, checked under the tenant's row lock, and refusals change nothing.

use crate::harness::{TestApp, spawn_app};
use chrono::{Datelike, Utc};
use serde_json::{Value, json};

fn policy(budget_hours: i64) -> Value {
    json!({"max_live_compute_slices": null, "max_live_memory_gib": null, "max_live_leases": null,
           "max_lease_seconds": 86400, "max_total_extension_seconds": 86400,
           "default_idle_timeout_seconds": 3600, "allowed_gpu_models": [],
           "monthly_budget_slice_hours": budget_hours})
}

/// These tests book a few hours from now; in the last hours of a UTC month that time would
/// fall partly in the next month, which the budget does not charge to this one.
fn hours_left_in_month() -> i64 {
    let now = Utc::now();
    let month = slicebroker_server::domain::budget::Month::containing(now);
    assert_eq!(month.start.month(), now.month());
    (month.end - now).num_hours()
}

async fn create(app: &TestApp, token: &str, profile: &str, duration: &str) -> (u16, Value) {
    let r = app
        .post(
            "/v1/leases",
            token,
            &json!({"profile": profile, "duration": duration}),
        )
        .await;
    (r.status, r.body)
}

#[tokio::test]
async fn grants_and_extensions_past_the_monthly_budget_are_refused() {
    if hours_left_in_month() < 6 {
        eprintln!("skipped: too close to the end of the month");
        return;
    }
    let app = spawn_app().await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", policy(4)).await;
    // 1 compute slice × 2h = 2 of the 4 compute-slice-hours.
    let (status, a) = create(&app, &team, "1g.10gb", "2h").await;
    assert_eq!(status, 201, "{a}");
    let a = a["id"].as_str().unwrap().to_owned();

    let before = app.snapshot().await;
    // 2 compute slices × 2h = 4 more: 6 > 4.
    let r = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "2g.20gb", "duration": "2h"}),
        )
        .await;
    let p = r.problem(422, "budget_exceeded");
    assert_eq!(p["field"], "duration");
    assert!(p["detail"].as_str().unwrap().contains("of its 4"), "{p}");
    // Queuing does not get around it.
    let r = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "2g.20gb", "duration": "2h", "wait": true}),
        )
        .await;
    r.problem(422, "budget_exceeded");
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused grant changes nothing"
    );

    let (status, c) = create(&app, &team, "1g.10gb", "1h").await;
    assert_eq!(status, 201, "3 of 4 are committed now: {c}");
    let c = c["id"].as_str().unwrap().to_owned();

    // Extending lease a by 2h would commit 5.
    let before = app.snapshot().await;
    let r = app
        .post(
            &format!("/v1/leases/{a}/extend"),
            &team,
            &json!({"by": "2h"}),
        )
        .await;
    assert_eq!(r.problem(422, "budget_exceeded")["field"], "by");
    assert_eq!(
        app.snapshot().await,
        before,
        "a refused extension changes nothing"
    );

    // An ended lease counts for the time it was held, not the time it booked: releasing c
    // (held for moments) gives back nearly all its hour.
    app.post(&format!("/v1/leases/{c}/release"), &team, &json!({}))
        .await
        .ok(200);
    app.post(
        &format!("/v1/leases/{a}/extend"),
        &team,
        &json!({"by": "1h"}),
    )
    .await
    .ok(200);
    // a now holds 3h; 30m of 1g more fits in 4, 2h does not.
    let (status, body) = create(&app, &team, "1g.10gb", "30m").await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = create(&app, &team, "1g.10gb", "2h").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("budget_exceeded"))
    );

    // Lowering the budget below what is committed stops every new grant; raising it or
    // removing it lets them through again.
    let admin = app.admin_token().await;
    let tenant = app.get("/v1/leases", &team).await.ok(200)["items"][0]["tenant_id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.request(
        "PATCH",
        &format!("/v1/tenants/{tenant}"),
        Some(&admin),
        Some(&json!({"policy": policy(1)}).to_string()),
        &[],
    )
    .await
    .ok(200);
    let (status, _) = create(&app, &team, "1g.10gb", "1m").await;
    assert_eq!(status, 422);
    let mut unlimited = policy(0);
    unlimited["monthly_budget_slice_hours"] = Value::Null;
    app.request(
        "PATCH",
        &format!("/v1/tenants/{tenant}"),
        Some(&admin),
        Some(&json!({"policy": unlimited}).to_string()),
        &[],
    )
    .await
    .ok(200);
    let (status, body) = create(&app, &team, "1g.10gb", "1h").await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn concurrent_grants_never_overspend_the_budget() {
    if hours_left_in_month() < 3 {
        eprintln!("skipped: too close to the end of the month");
        return;
    }
    let app = spawn_app().await;
    // 3 GPUs × 7 1g places: capacity is not what limits these 16 requests.
    app.seed_fleet(1, 3, "h100-80gb").await;
    let (tenant, team) = app.tenant("team-a", policy(5)).await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let (app, team) = (app.clone(), team.clone());
        tasks.push(tokio::spawn(async move {
            create(&app, &team, "1g.10gb", "1h").await
        }));
    }
    let mut granted = 0;
    for t in tasks {
        match t.await.unwrap() {
            (201, _) => granted += 1,
            (422, body) => assert_eq!(body["code"], "budget_exceeded", "{body}"),
            (status, body) => panic!("unexpected {status}: {body}"),
        }
    }
    assert_eq!(granted, 5, "5 one-hour 1g leases fit a budget of 5");
    let booked: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM slices s JOIN leases l ON l.id = s.lease_id
         WHERE l.tenant_id = $1::uuid AND s.released_at IS NULL",
    )
    .bind(&tenant)
    .fetch_one(app.app.db())
    .await
    .unwrap();
    assert_eq!(booked, 5);
}
