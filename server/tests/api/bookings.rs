//! Bookings through the API (issue 14): a booking pins its slices for its window, on-demand
//! leases fit around it, it can be cancelled before it starts, it starts on its own, and a
//! running lease cannot be extended into it.

use crate::harness::{TestApp, spawn_app, spawn_with, wait_until};
use chrono::{DateTime, Duration, Timelike, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

async fn book(
    app: &TestApp,
    token: &str,
    profile: &str,
    start: DateTime<Utc>,
    secs: i64,
) -> crate::harness::Resp {
    app.post(
        "/v1/leases",
        token,
        &json!({"profile": profile, "duration": secs, "start": at(start)}),
    )
    .await
}

async fn now_for(app: &TestApp, token: &str, profile: &str, secs: i64) -> crate::harness::Resp {
    app.post(
        "/v1/leases",
        token,
        &json!({"profile": profile, "duration": secs}),
    )
    .await
}

#[tokio::test]
async fn a_booking_pins_its_window_and_on_demand_leases_fit_around_it() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::hours(2);
    let booked = book(&app, &team, "7g.80gb", start, 3600).await;
    let lease = booked.ok(201);
    assert_eq!(lease["state"], "booked");
    assert_eq!(
        lease["slices"].as_array().unwrap().len(),
        1,
        "placement pinned"
    );
    let events = app
        .get(
            &format!("/v1/leases/{}/events", lease["id"].as_str().unwrap()),
            &team,
        )
        .await;
    assert_eq!(events.ok(200)[0]["kind"], "booked");
    // The GPU view shows what holds the GPU now: not the booking.
    let gpus = app.get("/v1/gpus", &team).await;
    assert_eq!(gpus.ok(200)[0]["slices"], json!([]));
    assert_eq!(gpus.body[0]["layout"], "........");
    // Free now and done before the booking starts: granted.
    now_for(&app, &team, "1g.10gb", 3600).await.ok(201);
    let gpus = app.get("/v1/gpus", &team).await;
    assert_eq!(gpus.ok(200)[0]["slices"].as_array().unwrap().len(), 1);
    // Would still run when the booking starts: every memory slice is booked then.
    let refused = now_for(&app, &team, "1g.10gb", 3 * 3600).await;
    let detail = refused.problem(503, "no_capacity")["detail"]
        .as_str()
        .unwrap();
    assert!(
        detail.contains(&format!("fits from {}", at(start + Duration::hours(1)))),
        "says when the whole request fits: {detail}"
    );
    // Another booking overlapping the first: nothing is free for its window.
    book(&app, &team, "1g.10gb", start + Duration::minutes(30), 3600)
        .await
        .problem(503, "no_capacity");
    // Back to back with it: fine.
    book(&app, &team, "7g.80gb", start + Duration::hours(1), 3600)
        .await
        .ok(201);
    assert_eq!(app.overlapping_slices().await, 0);
}

#[tokio::test]
async fn the_no_capacity_answer_for_several_slices_says_when_all_of_them_fit() {
    let app = spawn_app().await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let detail = |r: crate::harness::Resp| -> String {
        r.problem(503, "no_capacity")["detail"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let many = |count: i64, start: Option<DateTime<Utc>>| {
        let mut body = json!({"profile": "7g.80gb", "duration": 3600, "count": count});
        if let Some(s) = start {
            body["start"] = json!(at(s));
        }
        body
    };
    // Two GPUs never take three whole-GPU slices.
    let never = detail(app.post("/v1/leases", &team, &many(3, None)).await);
    assert!(never.contains("no capacity for 3 × 7g.80gb on "), "{never}");
    assert!(never.contains("only 2 fit together"), "{never}");
    assert!(
        never.contains("do not fit together at any start"),
        "{never}"
    );
    // One GPU is taken for two hours: two fit together only once it is free again.
    let taken = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "1g.10gb", "duration": 7200}),
        )
        .await;
    let ends = taken.ok(201)["ends_at"].as_str().unwrap().to_owned();
    let ends: DateTime<Utc> = ends.parse().unwrap();
    let later = detail(app.post("/v1/leases", &team, &many(2, None)).await);
    assert!(later.contains("only 1 fit together"), "{later}");
    let fits = ends.with_nanosecond(0).unwrap() + Duration::seconds(1);
    let said = |d: &str, t: DateTime<Utc>| d.contains(&format!("fits from {}", at(t)));
    assert!(
        said(&later, ends.with_nanosecond(0).unwrap()) || said(&later, fits),
        "fits once the 1g ends ({ends}): {later}"
    );
    // Following the advice works.
    let start = ends + Duration::seconds(1);
    app.post("/v1/leases", &team, &many(2, Some(start)))
        .await
        .ok(201);
    assert_eq!(app.overlapping_slices().await, 0);
}

#[tokio::test]
async fn a_booking_released_before_its_start_is_cancelled_and_frees_its_window() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::hours(5);
    let id = book(&app, &team, "7g.80gb", start, 3600).await.ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Not running yet, so it cannot be extended (book a longer window instead).
    let r = app
        .post(
            &format!("/v1/leases/{id}/extend"),
            &team,
            &json!({"by": 60}),
        )
        .await;
    let problem = r.problem(409, "illegal_transition");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("is booked: only a provisioning or active lease can be extended"),
        "{problem}"
    );
    let ended = app
        .post(&format!("/v1/leases/{id}/release"), &team, &json!({}))
        .await;
    let ended = ended.ok(200);
    assert_eq!(ended["state"], "ended");
    assert_eq!(ended["end_reason"], "cancelled");
    book(&app, &team, "7g.80gb", start, 3600).await.ok(201);
}

#[tokio::test]
async fn bad_starts_are_refused_naming_start_and_change_nothing() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let before = app.snapshot().await;
    let now = Utc::now();
    for body in [
        json!({"profile": "1g.10gb", "duration": 60, "start": at(now - Duration::hours(1))}),
        json!({"profile": "1g.10gb", "duration": 60, "start": at(now + Duration::days(31))}),
        json!({"profile": "1g.10gb", "duration": 60, "start": at(now + Duration::hours(1)), "wait": true}),
        // A leap second: PostgreSQL would keep the next minute, the window its `:59` end.
        json!({"profile": "1g.10gb", "duration": 60,
               "start": (now + Duration::days(1)).format("%Y-%m-%dT%H:%M:60Z").to_string()}),
    ] {
        let r = app.post("/v1/leases", &team, &body).await;
        assert_eq!(r.problem(400, "invalid_input")["field"], "start", "{body}");
    }
    let r = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "1g.10gb", "duration": 60, "start": "tomorrow"}),
        )
        .await;
    assert_eq!(r.problem(400, "malformed_body")["field"], "start");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn a_booking_starts_its_lead_before_its_start() {
    let app = spawn_with(|c| c.booking_lead = "1h".parse().unwrap()).await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::minutes(30);
    let lease = book(&app, &team, "3g.40gb", start, 3600)
        .await
        .ok(201)
        .clone();
    let id = lease["id"].as_str().unwrap().to_owned();
    let started = wait_until(
        std::time::Duration::from_secs(20),
        "the booking to start",
        async || {
            let l = app
                .get(&format!("/v1/leases/{id}"), &team)
                .await
                .ok(200)
                .clone();
            if l["state"] == "provisioning" {
                Ok(l)
            } else {
                Err(l["state"].clone())
            }
        },
    )
    .await;
    assert_eq!(
        started["granted_at"], lease["granted_at"],
        "its window did not move"
    );
    assert_eq!(started["ends_at"], lease["ends_at"]);
    let events = app.get(&format!("/v1/leases/{id}/events"), &team).await;
    let events = events.ok(200).as_array().unwrap();
    let kinds: Vec<_> = events.iter().map(|e| e["kind"].clone()).collect();
    assert_eq!(kinds, ["booked", "starting"]);
    // Times in a detail are written as the API writes every time (RFC 3339, UTC as `Z`).
    assert_eq!(events[1]["detail"]["start"], lease["granted_at"]);
    assert_eq!(events[1]["detail"]["ends_at"], lease["ends_at"]);
    assert_eq!(
        events[0]["at"], lease["created_at"],
        "booked when the lease was made"
    );
    // Started, its slice is being made: nothing else goes on its memory slices in the lead,
    // not even what would end before its start.
    now_for(&app, &team, "7g.80gb", 60)
        .await
        .problem(503, "no_capacity");
    // Released before its start, it is cancelled like a booking that had not started.
    let ended = app
        .post(&format!("/v1/leases/{id}/release"), &team, &json!({}))
        .await;
    assert_eq!(ended.ok(200)["end_reason"], "cancelled");
    now_for(&app, &team, "7g.80gb", 60).await.ok(201);
}

/// The planner counts windows in whole seconds, rounded outwards: a window that overlaps a
/// booking by a fraction of a second is no capacity (not a conflict that no retry cures), and
/// the earliest start the calendar names after a lease ending mid-second can be booked.
#[tokio::test]
async fn windows_a_fraction_of_a_second_apart_are_told_apart() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let start = (Utc::now() + Duration::hours(1))
        .with_nanosecond(0)
        .unwrap();
    book(&app, &team, "7g.80gb", start, 3600).await.ok(201);
    // A whole number of seconds from now ends as far past the start as now is into its second.
    let mut now = Utc::now();
    while !(1_000_000..900_000_000).contains(&now.nanosecond()) {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        now = Utc::now();
    }
    let secs = start.timestamp() - now.timestamp();
    let r = now_for(&app, &team, "7g.80gb", secs).await;
    let problem = r.problem(503, "no_capacity");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("not for the whole window"), "{detail}");
    assert!(
        !detail.contains("a100") && !detail.contains("h200"),
        "names only models the fleet has: {detail}"
    );
    assert!(
        problem["next_free_at"].is_null(),
        "nothing running ends; a booking's end makes no room now: {problem}"
    );
    let lease = now_for(&app, &team, "7g.80gb", 300).await.ok(201).clone();
    let ends: DateTime<Utc> = lease["ends_at"].as_str().unwrap().parse().unwrap();
    let r = app
        .get(
            &format!(
                "/v1/capacity/calendar?profile=7g.80gb&duration=60&to={}",
                at(start).replace('+', "%2B")
            ),
            &team,
        )
        .await;
    let earliest: DateTime<Utc> = r.ok(200)[0]["earliest_start"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        earliest >= ends,
        "{earliest} is before the lease ends at {ends}"
    );
    book(&app, &team, "7g.80gb", earliest, 60).await.ok(201);
}

#[tokio::test]
async fn an_admin_revoking_a_booking_or_a_queued_lease_records_revoked() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let admin = app.admin_token().await;
    let booked = book(
        &app,
        &team,
        "7g.80gb",
        Utc::now() + Duration::hours(2),
        3600,
    )
    .await
    .ok(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    now_for(&app, &team, "7g.80gb", 600).await.ok(201);
    let queued = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "7g.80gb", "duration": 600, "wait": true}),
        )
        .await
        .ok(202)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for id in [booked, queued] {
        let r = app
            .post(&format!("/v1/leases/{id}/revoke"), &admin, &json!({}))
            .await;
        assert_eq!(r.ok(200)["end_reason"], "revoked", "{id}");
        let events = app.get(&format!("/v1/leases/{id}/events"), &team).await;
        let last = events.ok(200).as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["kind"], "revoked", "{last}");
    }
}

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

#[tokio::test]
async fn bookings_are_held_to_the_tenants_booking_policy_and_refusals_change_nothing() {
    let app = spawn_app().await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (_, team) = app
        .tenant(
            "team-a",
            json!({"max_booking_ahead_seconds": 86_400, "max_bookings": 1,
                   "max_booking_seconds": 3600}),
        )
        .await;
    let soon = Utc::now() + Duration::hours(2);
    let before = app.snapshot().await;
    let r = book(&app, &team, "1g.10gb", Utc::now() + Duration::days(2), 600).await;
    assert_eq!(r.problem(422, "policy_violation")["field"], "start");
    let r = book(&app, &team, "1g.10gb", soon, 7200).await;
    assert_eq!(r.problem(422, "policy_violation")["field"], "duration");
    assert_eq!(app.snapshot().await, before);
    book(&app, &team, "1g.10gb", soon, 3600).await.ok(201);
    let before = app.snapshot().await;
    book(&app, &team, "1g.10gb", soon, 3600)
        .await
        .problem(422, "quota_exceeded");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn quota_holds_at_every_instant_so_disjoint_bookings_at_full_quota_both_fit() {
    let app = spawn_app().await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (_, team) = app
        .tenant("team-a", json!({"max_live_compute_slices": 3}))
        .await;
    let start = (Utc::now() + Duration::hours(2))
        .with_nanosecond(0)
        .unwrap();
    // Each at the full quota, one after the other: both accepted.
    book(&app, &team, "3g.40gb", start, 3600).await.ok(201);
    book(&app, &team, "3g.40gb", start + Duration::hours(1), 3600)
        .await
        .ok(201);
    let before = app.snapshot().await;
    // Overlapping either: refused, naming the limit and the first instant over it.
    let r = book(&app, &team, "1g.10gb", start + Duration::minutes(30), 3600).await;
    let detail = r.problem(422, "quota_exceeded")["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        detail.contains("max_live_compute_slices")
            && detail.contains(&format!("at {}", at(start + Duration::minutes(30)))),
        "{detail}"
    );
    // On demand now, still running when the first booking starts: refused at its start.
    let r = now_for(&app, &team, "1g.10gb", 3 * 3600).await;
    let detail = r.problem(422, "quota_exceeded")["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains(&format!("at {}", at(start))), "{detail}");
    assert_eq!(app.snapshot().await, before, "refusals change nothing");
    // On demand ending before the bookings: the whole quota is free now.
    let lease = now_for(&app, &team, "3g.40gb", 3600).await.ok(201).clone();
    // Extending it into the first booking: refused by the quota too.
    let r = app
        .post(
            &format!("/v1/leases/{}/extend", lease["id"].as_str().unwrap()),
            &team,
            &json!({"by": 7200}),
        )
        .await;
    let detail = r.problem(422, "quota_exceeded")["detail"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(detail.contains("extending by that"), "{detail}");
}

#[tokio::test]
async fn admins_book_for_any_tenant_and_members_only_for_their_own() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (team_id, team) = app.tenant("team-a", Value::Null).await;
    let (_, other) = app.tenant("team-b", Value::Null).await;
    let admin = app.admin_token().await;
    let start = at(Utc::now() + Duration::hours(3));
    let body = json!({"profile": "3g.40gb", "duration": 3600, "start": start,
                      "tenant_id": team_id});
    let lease = app.post("/v1/leases", &admin, &body).await.ok(201).clone();
    assert_eq!(lease["tenant_id"], team_id.as_str());
    assert_eq!(lease["state"], "booked");
    let id = lease["id"].as_str().unwrap();
    app.get(&format!("/v1/leases/{id}"), &team).await.ok(200);
    // A member may name its own tenant.
    let own = json!({"profile": "3g.40gb", "duration": 3600, "start": start,
                     "tenant_id": team_id});
    app.post("/v1/leases", &team, &own).await.ok(201);
    let before = app.snapshot().await;
    app.post("/v1/leases", &other, &body)
        .await
        .problem(403, "forbidden");
    let now = json!({"profile": "3g.40gb", "duration": 3600, "tenant_id": team_id});
    let r = app.post("/v1/leases", &admin, &now).await;
    assert_eq!(r.problem(400, "invalid_input")["field"], "tenant_id");
    let nobody = json!({"profile": "3g.40gb", "duration": 3600, "start": start,
                        "tenant_id": Uuid::nil()});
    let r = app.post("/v1/leases", &admin, &nobody).await;
    let problem = r.problem(400, "invalid_input");
    assert_eq!(problem["field"], "tenant_id");
    assert!(
        problem["detail"].as_str().unwrap().contains("no tenant"),
        "{problem}"
    );
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn the_calendar_shows_when_a_profile_can_be_booked_and_the_earliest_start() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let from = (Utc::now() + Duration::minutes(5))
        .with_nanosecond(0)
        .unwrap();
    book(&app, &team, "7g.80gb", from + Duration::hours(2), 3600)
        .await
        .ok(201);
    let calendar = |duration: &str| {
        format!(
            "/v1/capacity/calendar?profile=3g.40gb&from={}&to={}&duration={duration}",
            at(from).replace('+', "%2B"),
            at(from + Duration::hours(5)).replace('+', "%2B")
        )
    };
    let r = app.get(&calendar("2h"), &team).await;
    let h100 = &r.ok(200)[0];
    assert_eq!(h100["model"], "h100-80gb");
    let spans: Vec<(String, String, u64)> = h100["intervals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["from"].as_str().unwrap().to_owned(),
                i["to"].as_str().unwrap().to_owned(),
                i["available"].as_u64().unwrap(),
            )
        })
        .collect();
    let t = |h: i64| at(from + Duration::hours(h)).replace("+00:00", "Z");
    assert_eq!(
        spans,
        vec![(t(0), t(2), 2), (t(2), t(3), 0), (t(3), t(5), 2)]
    );
    assert_eq!(
        h100["earliest_start"],
        t(0),
        "two hours fit before the booking"
    );
    let r = app.get(&calendar("3h"), &team).await;
    assert_eq!(
        r.ok(200)[0]["earliest_start"],
        t(3),
        "three hours only after it"
    );
    // Bad queries name the parameter.
    let r = app.get("/v1/capacity/calendar?profile=9g.1tb", &team).await;
    assert_eq!(r.problem(400, "invalid_input")["field"], "profile");
    let back = format!(
        "/v1/capacity/calendar?profile=3g.40gb&from={}&to={}",
        at(from + Duration::hours(1)),
        at(from)
    );
    let r = app.get(&back.replace('+', "%2B"), &team).await;
    assert_eq!(r.problem(400, "invalid_input")["field"], "to");
    // A `from` past where calendars stop is `from`'s fault, not the `to` left out.
    let far = "/v1/capacity/calendar?profile=3g.40gb&from=9999-12-31T23:00:00Z";
    assert_eq!(
        app.get(far, &team).await.problem(400, "invalid_input")["field"],
        "from"
    );
}

/// The lease's view, as its owner sees it.
async fn lease_of(app: &TestApp, token: &str, id: &str) -> Value {
    app.get(&format!("/v1/leases/{id}"), token)
        .await
        .ok(200)
        .clone()
}

/// The kinds of the lease's events, in order.
async fn event_kinds(app: &TestApp, token: &str, id: &str) -> Vec<String> {
    app.get(&format!("/v1/leases/{id}/events"), token)
        .await
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

async fn cordon_gpu(app: &TestApp, gpu: &str) {
    let admin = app.admin_token().await;
    let r = app
        .post(&format!("/v1/gpus/{gpu}/cordon"), &admin, &json!({}))
        .await;
    assert_eq!(r.status, 204, "{:?}", r.body);
}

/// Books a whole GPU (`7g.80gb`) for `[start, start + secs)`, then cordons that GPU; the
/// booking's id and the GPU's.
async fn book_and_cordon(
    app: &TestApp,
    team: &str,
    start: DateTime<Utc>,
    secs: i64,
) -> (String, String) {
    let r = book(app, team, "7g.80gb", start, secs).await;
    let lease = r.ok(201);
    let id = lease["id"].as_str().unwrap().to_owned();
    let gpu = lease["slices"][0]["gpu_id"].as_str().unwrap().to_owned();
    cordon_gpu(app, &gpu).await;
    (id, gpu)
}

async fn live_slices_on(app: &TestApp, gpu: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM slices WHERE gpu_id = $1::uuid AND released_at IS NULL",
    )
    .bind(gpu)
    .fetch_one(app.app.db())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_booking_on_a_cordoned_gpu_moves_to_another_gpu_free_for_its_window() {
    let app = spawn_app().await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::hours(2);
    let (id, old_gpu) = book_and_cordon(&app, &team, start, 3600).await;
    let moved = wait_until(
        std::time::Duration::from_secs(10),
        "the booking to move off the cordoned GPU",
        async || {
            let l = lease_of(&app, &team, &id).await;
            let live: Vec<&Value> = l["slices"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["released_at"].is_null())
                .collect();
            match live.as_slice() {
                [s] if s["gpu_id"] != old_gpu.as_str() => Ok(l.clone()),
                _ => Err(format!("slices: {}", l["slices"])),
            }
        },
    )
    .await;
    assert_eq!(moved["state"], "booked");
    assert_eq!(
        moved["slices"].as_array().unwrap().len(),
        1,
        "the view shows only its current placement: {}",
        moved["slices"]
    );
    let kinds = event_kinds(&app, &team, &id).await;
    assert_eq!(kinds, ["booked", "rebooked"]);
    let events = app.get(&format!("/v1/leases/{id}/events"), &team).await;
    let placements = &events.ok(200)[1]["detail"]["placements"];
    assert_eq!(placements.as_array().unwrap().len(), 1);
    assert_ne!(placements[0]["gpu_id"], old_gpu.as_str());
    assert_eq!(placements[0]["profile"], "7g.80gb");
    // The old GPU's memory slices are free again: uncordoned, it takes the same window.
    assert_eq!(live_slices_on(&app, &old_gpu).await, 0);
    let admin = app.admin_token().await;
    let r = app
        .post(&format!("/v1/gpus/{old_gpu}/uncordon"), &admin, &json!({}))
        .await;
    assert_eq!(r.status, 204);
    book(&app, &team, "7g.80gb", start, 3600).await.ok(201);
    assert_eq!(app.overlapping_slices().await, 0);
}

#[tokio::test]
async fn a_booking_with_nowhere_to_go_is_marked_at_risk_once_and_stays() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::hours(2);
    let (id, gpu) = book_and_cordon(&app, &team, start, 3600).await;
    wait_until(
        std::time::Duration::from_secs(10),
        "the booking to be marked at risk",
        async || {
            let kinds = event_kinds(&app, &team, &id).await;
            if kinds.iter().any(|k| k == "at_risk") {
                Ok(())
            } else {
                Err(format!("events: {kinds:?}"))
            }
        },
    )
    .await;
    // Another cordon runs the pass again: still one warning.
    cordon_gpu(&app, &gpu).await;
    app.app.refresh_fleet().await.unwrap();
    assert_eq!(event_kinds(&app, &team, &id).await, ["booked", "at_risk"]);
    let events = app.get(&format!("/v1/leases/{id}/events"), &team).await;
    assert_eq!(events.ok(200)[1]["detail"]["reason"], "gpu_cordoned");
    let now = lease_of(&app, &team, &id).await;
    assert_eq!(now["state"], "booked");
    assert_eq!(now["slices"][0]["gpu_id"], gpu.as_str());
    assert_eq!(live_slices_on(&app, &gpu).await, 1);
}

#[tokio::test]
async fn an_at_risk_booking_ends_failed_with_its_reason_when_its_start_comes() {
    let app = spawn_with(|c| {
        c.lifecycle_interval = "10ms".parse().unwrap();
        c.booking_lead = "1s".parse().unwrap();
    })
    .await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::seconds(4);
    let (id, gpu) = book_and_cordon(&app, &team, start, 60).await;
    let ended = wait_until(
        std::time::Duration::from_secs(20),
        "the booking to fail at its start",
        async || {
            let l = lease_of(&app, &team, &id).await;
            if l["state"] == "ended" {
                Ok(l)
            } else {
                Err(l["state"].clone())
            }
        },
    )
    .await;
    assert_eq!(ended["end_reason"], "failed");
    let kinds = event_kinds(&app, &team, &id).await;
    assert_eq!(kinds, ["booked", "at_risk", "failed"], "never started");
    let events = app.get(&format!("/v1/leases/{id}/events"), &team).await;
    let failed = &events.ok(200)[2];
    assert_eq!(failed["detail"]["reason"], "gpu_cordoned");
    assert_eq!(failed["to_state"], "ended");
    let at: DateTime<Utc> = failed["at"].as_str().unwrap().parse().unwrap();
    assert!(
        at >= start.with_nanosecond(0).unwrap(),
        "not before its start"
    );
    assert_eq!(live_slices_on(&app, &gpu).await, 0, "its slice is released");
}

#[tokio::test]
async fn a_booking_on_a_lost_host_moves_to_another_host() {
    let app = spawn_with(|c| {
        c.lifecycle_interval = "10ms".parse().unwrap();
        c.host_unreachable_after = "2s".parse().unwrap();
        c.host_lost_after = "2s".parse().unwrap();
    })
    .await;
    // The only GPU, whose agent registers once and then never reports.
    let _cred = crate::agents::enrolled_host(&app, "node-1", "GPU-1").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::hours(2);
    let lease = book(&app, &team, "7g.80gb", start, 3600)
        .await
        .ok(201)
        .clone();
    let id = lease["id"].as_str().unwrap().to_owned();
    assert_eq!(lease["slices"][0]["host"], "node-1");
    app.seed_fleet(1, 1, "h100-80gb").await;
    let moved = wait_until(
        std::time::Duration::from_secs(20),
        "the booking to move off the lost host",
        async || {
            let l = lease_of(&app, &team, &id).await;
            let live: Vec<&Value> = l["slices"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["released_at"].is_null())
                .collect();
            match live.as_slice() {
                [s] if s["host"] != "node-1" => Ok(l.clone()),
                _ => Err(format!("slices: {}", l["slices"])),
            }
        },
    )
    .await;
    assert_eq!(moved["state"], "booked");
    assert_eq!(event_kinds(&app, &team, &id).await, ["booked", "rebooked"]);
    assert_eq!(app.overlapping_slices().await, 0);
}
