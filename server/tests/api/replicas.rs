//! Two server replicas on one database: each learns the other's grants and releases from the
//! periodic index refresh, or at once from a conflict, and never places onto taken slices.

use crate::harness::{TestApp, spawn_with, wait_until};
use serde_json::{Value, json};
use slicebroker_types::SliceId;
use std::time::Duration;

async fn grant(app: &TestApp, token: &str) -> Value {
    app.post(
        "/v1/leases",
        token,
        &json!({"profile": "1g.10gb", "duration": "1h"}),
    )
    .await
    .ok(201)
    .clone()
}

fn slice_ids(lease: &Value) -> Vec<SliceId> {
    lease["slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().parse().unwrap())
        .collect()
}

fn places(lease: &Value) -> Vec<(String, i64)> {
    lease["slices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["gpu_id"].as_str().unwrap().to_owned(),
                s["start"].as_i64().unwrap(),
            )
        })
        .collect()
}

async fn free_1g(app: &TestApp, token: &str) -> u64 {
    let capacity = app.get("/v1/capacity", token).await;
    capacity
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["profile"] == "1g.10gb")
        .map_or(0, |c| c["available"].as_u64().unwrap())
}

#[tokio::test]
async fn grants_and_releases_on_one_replica_reach_the_others_index_by_refresh() {
    let a = spawn_with(|c| c.placement_refresh = "100ms".parse().unwrap()).await;
    a.seed_fleet(1, 1, "h100-80gb").await;
    let b = a.replica(|_| {}).await;
    let (_, team) = a.tenant("team-a", Value::Null).await;
    assert_eq!(free_1g(&b, &team).await, 7);

    let mut taken = Vec::new();
    let mut from_a = Vec::new();
    for _ in 0..3 {
        let lease = grant(&a, &team).await;
        taken.extend(places(&lease));
        from_a.push(lease);
    }
    let ids: Vec<SliceId> = from_a.iter().flat_map(slice_ids).collect();
    wait_until(
        Duration::from_secs(5),
        "replica b's index to learn a's grants from its periodic refresh",
        async || {
            let known = ids
                .iter()
                .filter(|id| b.app.index().knows_slice(**id))
                .count();
            if known == ids.len() {
                Ok(())
            } else {
                Err(format!("{known} of {} slices known", ids.len()))
            }
        },
    )
    .await;
    assert_eq!(free_1g(&b, &team).await, 4);
    // b fills the rest of the GPU without touching a's places, then has nothing left.
    for _ in 0..4 {
        let lease = grant(&b, &team).await;
        for place in places(&lease) {
            assert!(!taken.contains(&place), "{place:?} was already taken");
            taken.push(place);
        }
    }
    b.post(
        "/v1/leases",
        &team,
        &json!({"profile": "1g.10gb", "duration": "1h"}),
    )
    .await
    .problem(503, "no_capacity");

    // What a releases frees capacity on b too.
    for lease in &from_a {
        let id = lease["id"].as_str().unwrap();
        a.post(&format!("/v1/leases/{id}/release"), &team, &json!({}))
            .await
            .ok(200);
    }
    wait_until(
        Duration::from_secs(5),
        "replica b's index to forget a's released slices",
        async || {
            let known = ids
                .iter()
                .filter(|id| b.app.index().knows_slice(**id))
                .count();
            if known == 0 {
                Ok(())
            } else {
                Err(format!("{known} of {} slices still known", ids.len()))
            }
        },
    )
    .await;
    assert_eq!(free_1g(&b, &team).await, 3);
    grant(&b, &team).await;
}

#[tokio::test]
async fn a_replica_with_a_stale_index_reloads_the_conflicting_gpu_and_places_elsewhere() {
    // No periodic refresh within the test: b's index knows only what it read at start-up.
    let a = spawn_with(|c| c.placement_refresh = "1h".parse().unwrap()).await;
    a.seed_fleet(1, 1, "h100-80gb").await;
    let b = a.replica(|_| {}).await;
    let (_, team) = a.tenant("team-a", Value::Null).await;
    let first = grant(&a, &team).await;
    let first_ids = slice_ids(&first);
    assert!(!b.app.index().knows_slice(first_ids[0]));

    // The planner is deterministic: b's stale index picks a's place, the exclusion constraint
    // refuses it, and b reloads that GPU and places the slice next to a's.
    let second = grant(&b, &team).await;
    assert_ne!(places(&first), places(&second));
    assert_eq!(places(&first)[0].0, places(&second)[0].0, "same GPU");
    assert!(
        b.app.index().knows_slice(first_ids[0]),
        "the conflict reloaded the GPU's slices into b's index"
    );
    let overlaps: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM slices x JOIN slices y ON x.gpu_id = y.gpu_id AND x.id < y.id
         WHERE x.released_at IS NULL AND y.released_at IS NULL
           AND int4range(x.start, x.start + x.size) && int4range(y.start, y.start + y.size)",
    )
    .fetch_one(a.app.db())
    .await
    .unwrap();
    assert_eq!(overlaps, 0);
}

/// A request that loses placement races (another replica took the place its index showed
/// free) retries with the other writers held off, reloading what it lost on and then the whole
/// fleet: it is granted however stale its replica's index is, where it used to give up with a
/// 503 after five races lost one GPU at a time.
#[tokio::test]
async fn a_request_that_loses_placement_races_is_granted_however_stale_its_index() {
    // No periodic refresh within the test: b's index knows only what it read at start-up.
    let a = spawn_with(|c| c.placement_refresh = "1h".parse().unwrap()).await;
    a.seed_fleet(1, 8, "h100-80gb").await;
    let b = a.replica(|_| {}).await;
    let (_, team) = a.tenant("team-a", Value::Null).await;
    // a fills 55 of the 56 1g places, GPU after GPU; b still sees all 56 free.
    let mut taken = Vec::new();
    for _ in 0..55 {
        taken.extend(places(&grant(&a, &team).await));
    }
    let last = grant(&b, &team).await;
    let place = places(&last);
    assert!(!taken.contains(&place[0]), "{place:?} was a's already");
    taken.extend(place);
    taken.sort();
    taken.dedup();
    assert_eq!(taken.len(), 56, "every place granted once");
}

/// A booking comes up `booking_lead` before its start, and its slices' window then begins
/// at once. The replica whose lifecycle job did it tells the others (NOTIFY), which reload that
/// GPU at once rather than at their next periodic reload: none of them goes on offering the
/// slice until the booking's start.
#[tokio::test]
async fn a_booking_coming_up_on_one_replica_reaches_the_others_index_at_once() {
    use chrono::{DateTime, Utc};
    let a = spawn_with(|c| {
        c.lifecycle_jobs = false;
        c.booking_lead = "1h".parse().unwrap();
    })
    .await;
    a.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = a.tenant("team-a", Value::Null).await;
    let start = Utc::now() + chrono::Duration::minutes(30);
    let stamp = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let booked = a
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "7g.80gb", "duration": 3600, "start": stamp(start)}),
        )
        .await;
    let id = booked.ok(201)["id"].as_str().unwrap().to_owned();
    let b = a
        .replica(|c| {
            c.lifecycle_jobs = false;
            c.placement_refresh = "1h".parse().unwrap();
        })
        .await;
    // When b would have a 7g for a minute, before the booking's start.
    let earliest = async || -> Option<DateTime<Utc>> {
        let path = format!(
            "/v1/capacity/calendar?profile=7g.80gb&duration=60&to={}",
            stamp(start)
        );
        let r = b.get(&path, &team).await;
        r.ok(200)[0]["earliest_start"]
            .as_str()
            .map(|t| t.parse().unwrap())
    };
    let before = earliest().await;
    assert!(
        before.is_some_and(|t| t < start - chrono::Duration::minutes(20)),
        "b offers the GPU until the booking comes up: {before:?}"
    );
    // a's lifecycle job brings the booking up (its lead has come).
    slicebroker_server::app::lifecycle::run_once(&a.app).await;
    let lease = a.get(&format!("/v1/leases/{id}"), &team).await;
    assert_eq!(lease.ok(200)["state"], "provisioning");
    wait_until(
        Duration::from_secs(5),
        "b's index to learn that the booking's window begins now",
        async || match earliest().await {
            None => Ok(()),
            Some(t) => Err(format!("b still offers a 7g from {t}")),
        },
    )
    .await;
}
