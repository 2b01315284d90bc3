//! Group commit (server/src/app/leases/batch.rs): concurrent grants and releases share
//! transactions, yet each request is answered as if it had run alone, in arrival order.

use crate::harness::{TestApp, spawn_app, spawn_with};
use serde_json::{Value, json};
use std::collections::HashSet;
use std::sync::Arc;

fn policy(max_live_leases: Option<i32>) -> Value {
    json!({"max_live_compute_slices": null, "max_live_memory_gib": null,
           "max_live_leases": max_live_leases, "max_lease_seconds": 86400,
           "max_total_extension_seconds": 0, "default_idle_timeout_seconds": 3600,
           "allowed_gpu_models": [], "monthly_budget_slice_hours": null})
}

/// Sends every request at once; the answers in the order asked.
async fn all_at_once(
    app: &Arc<TestApp>,
    requests: Vec<(String, String, Value, Option<&'static str>)>,
) -> Vec<crate::harness::Resp> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(path, token, body, key)| {
            let app = app.clone();
            tokio::spawn(async move {
                let headers: Vec<(&str, &str)> = key
                    .map(|k| vec![("idempotency-key", k)])
                    .unwrap_or_default();
                let body = body.to_string();
                app.request("POST", &path, Some(&token), Some(&body), &headers)
                    .await
            })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test]
async fn concurrent_grants_share_transactions_and_each_counts_against_the_next() {
    let app = spawn_app().await;
    app.seed_fleet(2, 4, "h100-80gb").await;
    let (_, capped) = app.tenant("team-capped", policy(Some(5))).await;
    let (_, free) = app.tenant("team-free", policy(None)).await;
    let app = Arc::new(app);
    let one = json!({"profile": "1g.10gb", "duration": "1h"});
    let requests = (0..40)
        .map(|i| {
            let token = if i % 2 == 0 { &capped } else { &free };
            ("/v1/leases".to_owned(), token.clone(), one.clone(), None)
        })
        .collect();
    let answers = all_at_once(&app, requests).await;
    let (mut capped_granted, mut free_granted) = (0, 0);
    for (i, r) in answers.iter().enumerate() {
        match (i % 2, r.status) {
            (0, 201) => capped_granted += 1,
            (0, 422) => assert_eq!(r.body["code"], "quota_exceeded"),
            (1, 201) => free_granted += 1,
            (_, other) => panic!("request {i}: unexpected {other}: {}", r.body),
        }
    }
    assert_eq!((capped_granted, free_granted), (5, 20));
    let db = app.app.db();
    let (leases, instants): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT created_at) FROM leases")
            .fetch_one(db)
            .await
            .unwrap();
    assert_eq!(
        leases, 25,
        "every grant answered 201 is committed, no other"
    );
    assert!(
        instants < leases,
        "grants of one batch share their transaction's instant: {instants} instants for {leases} leases"
    );
    assert_eq!(app.overlapping_slices().await, 0);
    // Each host's generation (1 at first) moved once per transaction that placed on it.
    let (bumps, placing): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT coalesce(sum(desired_generation - 1), 0)::bigint FROM hosts),
                (SELECT count(DISTINCT (s.created_at, g.host_id)) FROM slices s
                 JOIN gpus g ON g.id = s.gpu_id)",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!(bumps, placing);
    // The counters at /metrics account for every request.
    let metrics = app.request("GET", "/metrics", None, None, &[]).await.text;
    let counter = |name: &str| -> u64 {
        let prefix = format!("slicebroker_group_commit_{name}_total{{kind=\"create\"}} ");
        let line = metrics.lines().find_map(|l| l.strip_prefix(&prefix));
        line.unwrap_or_else(|| panic!("no {prefix} in /metrics"))
            .parse()
            .unwrap()
    };
    assert_eq!(counter("requests"), 40);
    assert_eq!(counter("alone"), 0, "nothing here needs to run alone");
    // Every instant is a batch that granted; a batch may also have refused all it carried.
    let batches = counter("batches") as i64;
    assert!(
        (instants..40).contains(&batches),
        "{batches} batches for 40 requests"
    );
}

#[tokio::test]
async fn concurrent_retries_with_one_idempotency_key_make_one_lease() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let app = Arc::new(app);
    let body = json!({"profile": "1g.10gb", "duration": "1h"});
    let requests = (0..8)
        .map(|_| {
            (
                "/v1/leases".to_owned(),
                team.clone(),
                body.clone(),
                Some("job-7"),
            )
        })
        .collect();
    let answers = all_at_once(&app, requests).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        7,
        "{statuses:?}"
    );
    let ids: HashSet<&str> = answers
        .iter()
        .map(|r| r.body["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1);
    let leases: i64 = sqlx::query_scalar("SELECT count(*) FROM leases")
        .fetch_one(app.app.db())
        .await
        .unwrap();
    assert_eq!(leases, 1);
}

#[tokio::test]
async fn concurrent_releases_each_get_their_own_answer() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, a) = app.tenant("team-a", Value::Null).await;
    let (_, b) = app.tenant("team-b", Value::Null).await;
    let mut ids = Vec::new();
    for _ in 0..7 {
        let r = app
            .post(
                "/v1/leases",
                &a,
                &json!({"profile": "1g.10gb", "duration": "1h"}),
            )
            .await;
        ids.push(r.ok(201)["id"].as_str().unwrap().to_owned());
    }
    let queued = app
        .post(
            "/v1/leases",
            &a,
            &json!({"profile": "7g.80gb", "duration": "1h", "wait": true}),
        )
        .await;
    let pending = queued.ok(202)["id"].as_str().unwrap().to_owned();
    let app = Arc::new(app);
    let release = |id: &str, token: &str| {
        (
            format!("/v1/leases/{id}/release"),
            token.to_owned(),
            json!({}),
            None,
        )
    };
    let mut requests: Vec<_> = ids.iter().map(|id| release(id, &a)).collect();
    requests.push(release(&ids[0], &a));
    requests.push(release(&pending, &a));
    requests.push(release(&ids[1], &b));
    requests.push(release(&uuid::Uuid::now_v7().to_string(), &a));
    let answers = all_at_once(&app, requests).await;
    for (i, r) in answers[1..7].iter().enumerate() {
        assert_eq!(r.ok(200)["state"], "ended", "lease {}", i + 1);
        assert_eq!(r.body["end_reason"], "released");
    }
    // The same lease twice: one release ends it, the other finds it ended.
    let twice = [&answers[0], &answers[7]];
    assert_eq!(twice.iter().filter(|r| r.status == 200).count(), 1);
    let refused = twice.iter().find(|r| r.status != 200).unwrap();
    refused.problem(409, "illegal_transition");
    // The queued lease is cancelled, or granted by the queue as capacity came back and then
    // released: ended either way.
    assert_eq!(answers[8].ok(200)["state"], "ended");
    answers[9].problem(404, "not_found");
    answers[10].problem(404, "not_found");
    let db = app.app.db();
    let (live_leases, live_slices): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM leases WHERE state <> 'ended'),
                (SELECT count(*) FROM slices WHERE released_at IS NULL)",
    )
    .fetch_one(db)
    .await
    .unwrap();
    assert_eq!((live_leases, live_slices), (0, 0));
    let events: Vec<(String, String)> = sqlx::query_as(
        "SELECT lease_id::text, string_agg(kind::text, ',' ORDER BY id) FROM lease_events
         WHERE lease_id = ANY($1::uuid[]) GROUP BY lease_id",
    )
    .bind(&ids)
    .fetch_all(db)
    .await
    .unwrap();
    assert_eq!(events.len(), 7);
    for (id, kinds) in events {
        assert_eq!(kinds, "granted,released,ended", "lease {id}");
    }
}

#[tokio::test]
async fn with_group_commit_off_each_request_writes_its_own_transaction() {
    let app = spawn_with(|c| c.group_commit_max = "1".parse().unwrap()).await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", policy(Some(3))).await;
    let app = Arc::new(app);
    let one = json!({"profile": "1g.10gb", "duration": "1h"});
    let requests = (0..8)
        .map(|_| ("/v1/leases".to_owned(), team.clone(), one.clone(), None))
        .collect();
    let answers = all_at_once(&app, requests).await;
    let granted = answers.iter().filter(|r| r.status == 201).count();
    assert_eq!(granted, 3);
    let (leases, instants): (i64, i64) =
        sqlx::query_as("SELECT count(*), count(DISTINCT created_at) FROM leases")
            .fetch_one(app.app.db())
            .await
            .unwrap();
    assert_eq!((leases, instants), (3, 3));
}
