//! Right-sizing in the store: each slice's peak memory kept by the statement that records the
//! agent's observations, the `ended` event's usage summary, and the right-sizing report over a
//! seeded history of known answer (`domain::rightsizing` makes the recommendation).

use crate::fixture;
use chrono::{DateTime, Utc};
use slicebroker_server::domain::rightsizing;
use slicebroker_server::store;
use slicebroker_types::SliceId;
use slicebroker_types::api::{EndReason, LeaseEventKind, LeaseState, RightsizingRow};
use sqlx::PgPool;

async fn exec(db: &PgPool, sql: String) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(db)
        .await
        .unwrap();
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// One agent report of `slice` with `memory` MiB in use, idle, in a transaction of its own.
async fn report(db: &PgPool, slice: SliceId, memory: Option<i64>) {
    let mut tx = db.begin().await.unwrap();
    let seen = store::slices::SliceObservation {
        mig_device_uuid: Some("MIG-1"),
        gpu_instance_id: 1,
        compute_instance_id: Some(0),
        processes: serde_json::json!([]),
        memory_used_mib: memory,
        activity: None,
        busy: false,
    };
    store::slices::observe(&mut tx, &[(slice, seen)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn peak(db: &PgPool, slice: SliceId) -> Option<i64> {
    sqlx::query_scalar("SELECT peak_memory_mib FROM slices WHERE id = $1")
        .bind(slice.get())
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_peak_is_the_highest_memory_any_report_saw(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Active).await;
    let s = lease.slices[0].id;
    assert_eq!(peak(&db, s).await, None, "no report yet");
    report(&db, s, Some(3000)).await;
    report(&db, s, None).await;
    report(&db, s, Some(8000)).await;
    report(&db, s, Some(2000)).await;
    assert_eq!(peak(&db, s).await, Some(8000));
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_ended_event_carries_the_leases_own_summary(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Releasing).await;
    let s = lease.slices[0].id;
    exec(
        &db,
        format!(
            "UPDATE leases SET activated_at = now() - interval '4 hours' WHERE id = '{}'",
            lease.id
        ),
    )
    .await;
    report(&db, s, Some(7000)).await;
    // Idle from an hour ago (the report's period, moved back) until the end.
    exec(
        &db,
        format!(
            "UPDATE slice_idle_periods SET started_at = now() - interval '1 hour'
             WHERE slice_id = '{s}'"
        ),
    )
    .await;
    let mut tx = db.begin().await.unwrap();
    let ask = store::leases::EndAsk {
        id: lease.id,
        reason: EndReason::Released,
        detail: serde_json::json!({"reason": "released"}),
    };
    let ended = store::leases::end_released(&mut tx, &[ask]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ended.len(), 1);
    let (held, idle): (f64, f64) = sqlx::query_as(
        "SELECT extract(epoch FROM l.ended_at - l.activated_at)::float8,
                extract(epoch FROM p.ended_at - p.started_at)::float8
         FROM leases l, slice_idle_periods p WHERE l.id = $1 AND p.slice_id = $2",
    )
    .bind(lease.id.get())
    .bind(s.get())
    .fetch_one(&db)
    .await
    .unwrap();
    assert!((held - 4.0 * 3600.0).abs() < 1.0 && (idle - 3600.0).abs() < 1.0);
    let events = store::leases::events(&db, lease.id).await.unwrap();
    let ev = events.last().unwrap();
    assert_eq!(ev.kind, LeaseEventKind::Ended);
    assert_eq!(ev.detail["reason"], "released");
    let u = &ev.detail["usage"];
    assert_eq!(u["peak_memory_mib"], 7000);
    assert_eq!(u["profile_memory_mib"], 10240);
    // To the last bits: the event's copy went through jsonb's numeric.
    let near = |k: &str, want: f64| {
        let got = u[k].as_f64().unwrap();
        assert!((got - want).abs() < 1e-9, "{k}: {got} != {want}");
    };
    near("held_seconds", held);
    near("idle_held_seconds", idle);
    near("idle_held_hours", idle / 3600.0);
    near("busy_share", (held - idle) / held);
    // The lease view reads the same summary.
    let view = store::usage::lease_usage(&db, lease.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.peak_memory_mib, Some(7000));
    assert!((view.idle_held_seconds - idle).abs() < 1e-9);
}

/// Seeds `n` leases of `w`'s tenant, each one `3g.40gb` slice active 10:00–12:00 on `day`,
/// with this peak memory, idle from `idle_from` until 12:00 (none if `None`), from `class`.
async fn seed(
    db: &PgPool,
    w: fixture::World,
    n: usize,
    day: &str,
    peak: i64,
    idle_from: Option<&str>,
    class: Option<&str>,
) {
    for _ in 0..n {
        let lease = fixture::lease(db, w, LeaseState::Ended).await;
        let s = lease.slices[0].id;
        let class = class.map_or("NULL".into(), |c| format!("'{c}'"));
        let idle = idle_from.map_or(String::new(), |f| {
            format!(
                "INSERT INTO slice_idle_periods VALUES
                     ('{s}', '{day}T{f}:00Z', '{day}T12:00:00Z');"
            )
        });
        exec(
            db,
            format!(
                "UPDATE slices SET profile = '3g.40gb', compute_slices = 3, size = 4,
                     memory_gib = 40, peak_memory_mib = {peak},
                     created_at = '{day}T09:59:00Z', released_at = '{day}T12:00:00Z'
                     WHERE id = '{s}';
                 UPDATE leases SET class = {class}, activated_at = '{day}T10:00:00Z',
                     ended_at = '{day}T12:00:00Z' WHERE id = '{id}';
                 {idle}",
                id = lease.id
            ),
        )
        .await;
    }
}

async fn report_rows(db: &PgPool, from: &str, to: &str) -> Vec<RightsizingRow> {
    let leases = store::usage::ended_lease_usage(db, None, t(from), t(to))
        .await
        .unwrap();
    rightsizing::report(leases)
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn rightsizing_recommends_from_a_seeded_history_of_known_answer(db: PgPool) {
    let w = fixture::world(&db).await;
    // Nine leases peaked at 8 GiB and were idle 10:15–12:00 (busy 0.25 h of 2 h: 12.5 %);
    // one peaked at 30 000 MiB, busy throughout.
    seed(&db, w, 9, "2026-03-10", 8192, Some("10:15"), None).await;
    seed(&db, w, 1, "2026-03-10", 30000, None, None).await;
    // Three `notebook` leases, idle all along at 1 GiB: too few for a recommendation.
    seed(
        &db,
        w,
        3,
        "2026-03-10",
        1024,
        Some("10:00"),
        Some("notebook"),
    )
    .await;
    // Outside the period: not counted.
    seed(&db, w, 5, "2026-04-02", 1024, Some("10:00"), None).await;

    let rows = report_rows(&db, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z").await;
    assert_eq!(rows.len(), 2, "{rows:#?}");
    let plain = &rows[0];
    assert_eq!(plain.class, None);
    assert_eq!((plain.leases, plain.leases_with_memory), (10, 10));
    assert_eq!(plain.profile_memory_mib, 40 * 1024);
    assert_eq!(plain.median_peak_memory_mib, Some(8192.0));
    assert_eq!(plain.peak_memory_mib, Some(30000));
    // 10 leases × 2 h held; 9 × 1.75 h idle.
    assert!((plain.slice_hours - 20.0).abs() < 1e-9);
    assert!((plain.idle_held_slice_hours - 15.75).abs() < 1e-9);
    assert!((plain.busy_share.unwrap() - 4.25 / 20.0).abs() < 1e-9);
    let r = plain.recommendation.as_ref().expect("a recommendation");
    // 8 GiB × 1.1 = 8.8 GiB ≤ 10 GiB: the smallest H100 profile serves the nine.
    assert_eq!(r.profile, "1g.10gb");
    assert_eq!((r.served, r.leases), (9, 10));
    // 9 leases × 2 h × (3 − 1) compute slices.
    assert!((r.freed_compute_slice_hours - 36.0).abs() < 1e-9);
    assert!(r.text.starts_with("9 of 10 `3g.40gb` leases"), "{}", r.text);

    let notebook = &rows[1];
    assert_eq!(notebook.class.as_deref(), Some("notebook"));
    assert_eq!(notebook.leases, 3);
    assert_eq!(notebook.busy_share, Some(0.0));
    assert!(notebook.recommendation.is_none());
    let note = notebook.recommendation_note.as_deref().unwrap();
    assert!(
        note.contains(&format!("3 of the {}", rightsizing::MIN_LEASES)),
        "{note}"
    );
}

/// A lease that never ran (a booking cancelled, a queued lease revoked) says nothing about what
/// a workload needs: right-sizing leaves it out.
#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn leases_that_never_ran_are_left_out(db: PgPool) {
    let w = fixture::world(&db).await;
    let booking = fixture::lease(&db, w, LeaseState::Booked).await;
    let mut tx = db.begin().await.unwrap();
    let end = (EndReason::Cancelled, LeaseEventKind::Cancelled);
    store::leases::cancel_booked(&mut tx, booking.id, end, "test")
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    let now = Utc::now();
    let around = (
        now - chrono::Duration::hours(1),
        now + chrono::Duration::hours(1),
    );
    let leases = store::usage::ended_lease_usage(&db, None, around.0, around.1)
        .await
        .unwrap();
    assert!(leases.is_empty(), "{leases:?}");
}
