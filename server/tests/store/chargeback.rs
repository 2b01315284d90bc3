//! Chargeback in the store: idle periods kept from the agent's reports (one write per change
//! of state), and the usage report over a seeded history of known answer: intervals across
//! midnight, a lease lost with its host, idle periods, and the cost rates.

use crate::fixture;
use chrono::{DateTime, Utc};
use slicebroker_server::store;
use slicebroker_types::api::{CostRate, LeaseState, UsageRow};
use slicebroker_types::{LeaseId, SliceId};
use sqlx::PgPool;

type Period = (DateTime<Utc>, Option<DateTime<Utc>>);

async fn periods(db: &PgPool, slice: SliceId) -> Vec<Period> {
    sqlx::query_as(
        "SELECT started_at, ended_at FROM slice_idle_periods WHERE slice_id = $1
         ORDER BY started_at",
    )
    .bind(slice.get())
    .fetch_all(db)
    .await
    .unwrap()
}

/// One agent report of `slice`, busy or idle, in a transaction of its own; returns the
/// report's time (the transaction's).
async fn report(db: &PgPool, slice: SliceId, busy: bool) -> DateTime<Utc> {
    let mut tx = db.begin().await.unwrap();
    let at: DateTime<Utc> = sqlx::query_scalar("SELECT now()")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    let seen = store::slices::SliceObservation {
        mig_device_uuid: Some("MIG-1"),
        gpu_instance_id: 1,
        compute_instance_id: Some(0),
        processes: serde_json::json!([]),
        memory_used_mib: Some(5),
        activity: None,
        busy,
    };
    store::slices::observe(&mut tx, &[(slice, seen)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    at
}

/// The `xmin` of the slice's idle periods: changes whenever one is written.
async fn versions(db: &PgPool, slice: SliceId) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT xmin::text FROM slice_idle_periods WHERE slice_id = $1 ORDER BY started_at",
    )
    .bind(slice.get())
    .fetch_all(db)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn idle_periods_follow_the_reports_and_end_when_the_slice_is_released(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Active).await;
    let slice = lease.slices[0].id;

    report(&db, slice, true).await;
    assert!(periods(&db, slice).await.is_empty(), "busy: no period");
    let t1 = report(&db, slice, false).await;
    let written = versions(&db, slice).await;
    report(&db, slice, false).await;
    assert_eq!(
        versions(&db, slice).await,
        written,
        "a report that changes nothing writes no period"
    );
    let t3 = report(&db, slice, true).await;
    report(&db, slice, true).await;
    let t5 = report(&db, slice, false).await;
    assert_eq!(periods(&db, slice).await, [(t1, Some(t3)), (t5, None)]);

    let released: DateTime<Utc> = sqlx::query_scalar(
        "UPDATE slices SET released_at = now() WHERE id = $1 RETURNING released_at",
    )
    .bind(slice.get())
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(
        periods(&db, slice).await,
        [(t1, Some(t3)), (t5, Some(released))]
    );
    report(&db, slice, false).await;
    assert_eq!(
        periods(&db, slice).await.len(),
        2,
        "released: no new period"
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn an_idle_period_ends_when_the_lease_is_lost_with_its_host(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Active).await;
    let slice = lease.slices[0].id;
    let t1 = report(&db, slice, false).await;
    let mut tx = db.begin().await.unwrap();
    store::leases::end_on_lost_host(&mut tx, lease.id)
        .await
        .unwrap()
        .expect("it was active");
    tx.commit().await.unwrap();
    let ended = ended_at(&db, lease.id).await;
    assert_eq!(periods(&db, slice).await, [(t1, Some(ended))]);
    report(&db, slice, false).await;
    assert_eq!(
        periods(&db, slice).await.len(),
        1,
        "the agent back on a lost lease's slice opens no period"
    );
}

async fn ended_at(db: &PgPool, id: LeaseId) -> DateTime<Utc> {
    sqlx::query_scalar("SELECT ended_at FROM leases WHERE id = $1")
        .bind(id.get())
        .fetch_one(db)
        .await
        .unwrap()
}

async fn exec(db: &PgPool, sql: String) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(db)
        .await
        .unwrap();
}

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Seeds: lease 1 (1g.10gb) held 22:00-02:00 across midnight, idle 23:00-23:30 and
/// 23:45-01:15; lease 2 (a 2g.20gb slice, two compute slices) granted 10:00, lost with its
/// host at 13:00 (its slice never released), idle from 12:00 until the loss.
async fn seeded_history(db: &PgPool) {
    let w = fixture::world(db).await;
    let one = fixture::lease(db, w, LeaseState::Ended).await;
    exec(
        db,
        format!(
            "UPDATE slices SET created_at = '2026-03-10T22:00:00Z',
                 released_at = '2026-03-11T02:00:00Z' WHERE lease_id = '{id}';
             UPDATE leases SET ended_at = '2026-03-11T02:00:00Z' WHERE id = '{id}';
             INSERT INTO slice_idle_periods VALUES
                 ('{s}', '2026-03-10T23:00:00Z', '2026-03-10T23:30:00Z'),
                 ('{s}', '2026-03-10T23:45:00Z', '2026-03-11T01:15:00Z')",
            id = one.id,
            s = one.slices[0].id
        ),
    )
    .await;
    let two = fixture::lease(db, w, LeaseState::Active).await;
    exec(
        db,
        format!(
            "UPDATE slices SET created_at = '2026-03-11T10:00:00Z', profile = '2g.20gb',
                 compute_slices = 2, size = 2 WHERE lease_id = '{id}';
             INSERT INTO slice_idle_periods VALUES ('{s}', '2026-03-11T12:00:00Z', NULL);
             UPDATE leases SET state = 'ended', end_reason = 'host_lost',
                 ended_at = '2026-03-11T13:00:00Z' WHERE id = '{id}'",
            id = two.id,
            s = two.slices[0].id
        ),
    )
    .await;
}

/// A row's day, profile, slice-hours, compute-slice-hours, idle-held slice-hours and cost.
type Figures<'a> = (String, &'a str, f64, f64, f64, Option<f64>);

fn figures(rows: &[UsageRow]) -> Vec<Figures<'_>> {
    let round = |x: f64| (x * 1e6).round() / 1e6;
    rows.iter()
        .map(|r| {
            (
                r.day.to_string(),
                r.profile.as_str(),
                round(r.slice_hours),
                round(r.compute_slice_hours),
                round(r.idle_held_slice_hours),
                r.cost.map(round),
            )
        })
        .collect()
}

/// The report of every tenant over `[from, to)`.
async fn usage(db: &PgPool, from: &str, to: &str) -> Vec<UsageRow> {
    store::usage::usage(db, None, t(from), t(to)).await.unwrap()
}

/// The rows' costs over March 2026.
async fn march_costs(db: &PgPool) -> Vec<Option<f64>> {
    let rows = usage(db, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z").await;
    figures(&rows).into_iter().map(|f| f.5).collect()
}

/// Replaces the rate card; returns the card as it was.
async fn replace_rates(db: &PgPool, rates: &[CostRate]) -> Vec<CostRate> {
    let mut tx = db.begin().await.unwrap();
    let before = store::rates::replace(&mut tx, rates).await.unwrap();
    tx.commit().await.unwrap();
    before
}

fn rate(model: Option<&str>, profile: Option<&str>, per_hour: f64) -> CostRate {
    CostRate {
        model: model.map(Into::into),
        profile: profile.map(Into::into),
        per_hour,
    }
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn usage_splits_held_and_idle_hours_at_midnight_and_stops_at_host_loss(db: PgPool) {
    seeded_history(&db).await;
    let rows = usage(&db, "2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z").await;
    assert_eq!(
        figures(&rows),
        [
            ("2026-03-10".into(), "1g.10gb", 2.0, 2.0, 0.75, None),
            ("2026-03-11".into(), "1g.10gb", 2.0, 2.0, 1.25, None),
            ("2026-03-11".into(), "2g.20gb", 3.0, 6.0, 1.0, None),
        ],
        "no rates: no cost"
    );

    // A period starting mid-interval counts only what lies inside it.
    let late = usage(&db, "2026-03-10T23:15:00Z", "2026-03-11T12:30:00Z").await;
    assert_eq!(
        figures(&late),
        [
            ("2026-03-10".into(), "1g.10gb", 0.75, 0.75, 0.5, None),
            ("2026-03-11".into(), "1g.10gb", 2.0, 2.0, 1.25, None),
            ("2026-03-11".into(), "2g.20gb", 2.5, 5.0, 0.5, None),
        ]
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_most_specific_rate_prices_each_row(db: PgPool) {
    seeded_history(&db).await;
    let before = replace_rates(
        &db,
        &[
            rate(Some("h100-80gb"), Some("1g.10gb"), 2.0),
            rate(None, Some("1g.10gb"), 50.0),
            rate(None, None, 0.5),
            rate(Some("a100-80gb"), None, 100.0),
        ],
    )
    .await;
    assert!(before.is_empty());
    assert_eq!(
        march_costs(&db).await,
        [Some(4.0), Some(4.0), Some(3.0)],
        "1g.10gb on h100 by its own rate; 2g.20gb by the fleet's compute-slice rate"
    );
    let before = replace_rates(&db, &[rate(Some("h100-80gb"), None, 1.5)]).await;
    assert_eq!(before.len(), 4, "the card as it was");
    assert_eq!(
        march_costs(&db).await,
        [Some(3.0), Some(3.0), Some(9.0)],
        "per compute-slice-hour"
    );
}
