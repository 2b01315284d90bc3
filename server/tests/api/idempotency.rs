//! One outcome per `Idempotency-Key`: the whole request is compared, and a request whose key
//! another request (on another replica) is still deciding waits for that outcome or is told so,
//! never deciding again behind its back.

use crate::harness::{TestApp, spawn_with};
use serde_json::{Value, json};
use std::time::Duration;

async fn keyed(app: &TestApp, token: &str, key: &str, body: &Value) -> crate::harness::Resp {
    app.request(
        "POST",
        "/v1/leases",
        Some(token),
        Some(&body.to_string()),
        &[("idempotency-key", key)],
    )
    .await
}

#[tokio::test]
async fn a_key_sent_again_with_any_other_request_is_refused() {
    let app = spawn_with(|_| {}).await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let first = json!({"profile": "1g.10gb", "duration": "1h", "labels": {"run": "a"}});
    let id = keyed(&app, &team, "job-1", &first).await.ok(201)["id"].clone();
    // The same request, written differently (seconds instead of `1h`): the same lease.
    let same = json!({"profile": "1g.10gb", "duration": 3600, "labels": {"run": "a"}});
    assert_eq!(keyed(&app, &team, "job-1", &same).await.ok(200)["id"], id);
    let before = app.snapshot().await;
    for other in [
        json!({"profile": "1g.10gb", "duration": "2h", "labels": {"run": "a"}}),
        json!({"profile": "1g.10gb", "duration": "1h", "labels": {"run": "b"}}),
        json!({"profile": "1g.10gb", "duration": "1h"}),
        json!({"profile": "1g.10gb", "duration": "1h", "labels": {"run": "a"}, "priority": 5}),
        json!({"profile": "1g.10gb", "duration": "1h", "labels": {"run": "a"}, "idle_timeout": "10m"}),
    ] {
        let r = keyed(&app, &team, "job-1", &other).await;
        r.problem(409, "idempotency_key_reused");
    }
    assert_eq!(app.snapshot().await, before);
}

/// A request stalls after claiming its key (here: behind a lock a test transaction holds on
/// its tenant, as a frozen replica would). A retry on another replica is not decided again: it
/// waits, then answers 409 `idempotency_key_in_progress` with `Retry-After`; once the first
/// request completes, the retry replays its lease. A retry with another body is refused at once.
#[tokio::test]
async fn a_retry_while_the_first_request_is_still_deciding_gets_its_outcome() {
    let a = spawn_with(|c| c.request_timeout = "4s".parse().unwrap()).await;
    a.seed_fleet(1, 2, "h100-80gb").await;
    let b = a.replica(|_| {}).await;
    let (tenant, team) = a.tenant("team-a", Value::Null).await;
    let body = json!({"profile": "1g.10gb", "duration": "1h"});
    let tenant: uuid::Uuid = tenant.parse().unwrap();

    let mut stall = a.app.db().begin().await.unwrap();
    sqlx::query("SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE")
        .bind(tenant)
        .execute(&mut *stall)
        .await
        .unwrap();
    let first = {
        let a = a.clone_client();
        let (team, body) = (team.clone(), body.clone());
        tokio::spawn(async move { keyed(&a, &team, "job-9", &body).await })
    };
    // The first request holds the claim once its row exists.
    crate::harness::wait_until(
        Duration::from_secs(5),
        "the first request to claim its key",
        async || {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM idempotency_claims")
                .fetch_one(a.app.db())
                .await
                .unwrap();
            if n == 1 {
                Ok(())
            } else {
                Err(format!("{n} claims"))
            }
        },
    )
    .await;

    let other = json!({"profile": "2g.20gb", "duration": "1h"});
    keyed(&b, &team, "job-9", &other)
        .await
        .problem(409, "idempotency_key_reused");
    let waiting = b
        .request(
            "POST",
            "/v1/leases",
            Some(&team),
            Some(&body.to_string()),
            &[("idempotency-key", "job-9")],
        )
        .await;
    waiting.problem(409, "idempotency_key_in_progress");
    assert_eq!(waiting.headers["retry-after"], "1");
    let leases: i64 = sqlx::query_scalar("SELECT count(*) FROM leases")
        .fetch_one(a.app.db())
        .await
        .unwrap();
    assert_eq!(leases, 0, "the retry did not decide on its own");

    stall.rollback().await.unwrap();
    let first = first.await.unwrap();
    let id = first.ok(201)["id"].clone();
    let replay = keyed(&b, &team, "job-9", &body).await;
    assert_eq!(
        replay.ok(200)["id"],
        id,
        "the retry gets the first request's lease"
    );
    let claims: i64 = sqlx::query_scalar("SELECT count(*) FROM idempotency_claims")
        .fetch_one(a.app.db())
        .await
        .unwrap();
    assert_eq!(claims, 0, "the claim went with the lease");
}

/// A refused request frees its key: the retry is decided afresh (and may succeed).
#[tokio::test]
async fn a_refused_request_frees_its_key_for_a_retry() {
    let app = spawn_with(|_| {}).await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (id, team) = app.tenant("team-a", json!({"max_live_leases": 0})).await;
    let body = json!({"profile": "1g.10gb", "duration": "1h"});
    keyed(&app, &team, "job-3", &body)
        .await
        .problem(422, "quota_exceeded");
    let admin = app.admin_token().await;
    app.request(
        "PATCH",
        &format!("/v1/tenants/{id}"),
        Some(&admin),
        Some(&json!({"policy": {"max_live_leases": 1}}).to_string()),
        &[],
    )
    .await
    .ok(200);
    keyed(&app, &team, "job-3", &body).await.ok(201);
}
