//! Bookings through the API: a running lease cannot be extended into a window booked on its
//! slices (issue 14).

use crate::harness::spawn_app;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

/// Books the memory slices of `lease`'s first slice for `[from, from + 1h)` straight into the
/// database, as a booking made through any replica would (its host's generation moved in the
/// same transaction, DESIGN.md §2, invariant 4).
async fn book_after(app: &crate::harness::TestApp, lease: &Value, from: DateTime<Utc>) {
    let slice = &lease["slices"][0];
    let gpu: Uuid = slice["gpu_id"].as_str().unwrap().parse().unwrap();
    let tenant: Uuid = lease["tenant_id"].as_str().unwrap().parse().unwrap();
    let booking = Uuid::new_v4();
    let mut tx = app.app.db().begin().await.unwrap();
    sqlx::query(
        "UPDATE hosts SET desired_generation = desired_generation + 1
         WHERE id = (SELECT host_id FROM gpus WHERE id = $1)",
    )
    .bind(gpu)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO leases (id, tenant_id, state, request, slice_count, duration_seconds,
             idle_timeout_seconds, granted_at, ends_at)
         VALUES ($1, $2, 'provisioning', '1g.10gb', 1, 3600, 3600, $3, $3 + interval '1 hour')",
    )
    .bind(booking)
    .bind(tenant)
    .bind(from)
    .execute(&mut *tx)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO slices (id, lease_id, tenant_id, gpu_id, profile, start, size,
             compute_slices, memory_gib, during)
         VALUES ($1, $2, $3, $4, '1g.10gb', $5, 1, 1, 10,
             tstzrange($6, $6 + interval '1 hour'))",
    )
    .bind(Uuid::new_v4())
    .bind(booking)
    .bind(tenant)
    .bind(gpu)
    .bind(slice["start"].as_i64().unwrap() as i32)
    .bind(from)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn an_extension_into_a_booking_of_the_slices_is_refused_saying_until_when() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let lease = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "7g.80gb", "duration": 3600}),
        )
        .await
        .ok(201)
        .clone();
    let id = lease["id"].as_str().unwrap();
    let ends_at: DateTime<Utc> = lease["ends_at"].as_str().unwrap().parse().unwrap();
    let booked_from = ends_at + Duration::minutes(30);
    book_after(&app, &lease, booked_from).await;
    let before = app.snapshot().await;
    let refused = app
        .post(
            &format!("/v1/leases/{id}/extend"),
            &team,
            &json!({"by": "1h"}),
        )
        .await;
    let detail = refused.problem(409, "booked_after")["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains(&booked_from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "says until when: {detail}"
    );
    assert_eq!(app.snapshot().await, before, "a refusal changes nothing");
    // Up to the booking's start is fine.
    let extended = app
        .post(
            &format!("/v1/leases/{id}/extend"),
            &team,
            &json!({"by": "30m"}),
        )
        .await;
    let end: DateTime<Utc> = extended.ok(200)["ends_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(end, booked_from);
    assert_eq!(app.overlapping_slices().await, 0);
}
