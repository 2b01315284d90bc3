//! `store::usage`: what a tenant's slices take of a period, for reports and the budget.

use crate::fixture;
use slicebroker_server::domain::budget::Month;
use slicebroker_server::store;
use slicebroker_types::api::LeaseState;
use sqlx::PgPool;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_released_slice_counts_for_the_time_it_was_held(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Ended).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "UPDATE slices SET created_at = '2026-03-10T10:00:00Z', released_at = '2026-03-10T12:00:00Z'
             WHERE lease_id = '{id}';
         UPDATE leases SET ended_at = '2026-03-10T12:00:00Z' WHERE id = '{id}'",
        id = lease.id
    )))
    .execute(&db)
    .await
    .unwrap();
    let (from, to) = (
        "2026-03-01T00:00:00Z".parse().unwrap(),
        "2026-04-01T00:00:00Z".parse().unwrap(),
    );
    let seconds = store::usage::committed_compute_seconds(
        &db,
        w.tenant,
        &[Month {
            start: from,
            end: to,
        }],
    )
    .await
    .unwrap();
    assert_eq!(seconds, [2 * 3600], "one compute slice for two hours");
    let rows = store::usage::usage(&db, Some(w.tenant), from, to)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!((rows[0].slice_hours - 2.0).abs() < 1e-9, "{rows:?}");
    let april = (
        "2026-04-01T00:00:00Z".parse().unwrap(),
        "2026-05-01T00:00:00Z".parse().unwrap(),
    );
    assert_eq!(
        store::usage::committed_compute_seconds(
            &db,
            w.tenant,
            &[Month {
                start: april.0,
                end: april.1
            }]
        )
        .await
        .unwrap(),
        [0]
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_booking_across_a_month_end_is_charged_to_each_month_for_its_time_there(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Booked).await;
    // Two hours from 23:00 on the last day of a month (far ahead, as a booking may be).
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "UPDATE leases SET granted_at = '2099-06-30T23:00:00Z', ends_at = '2099-07-01T01:00:00Z'
             WHERE id = '{id}';
         UPDATE slices SET created_at = '2099-06-30T23:00:00Z' WHERE lease_id = '{id}'",
        id = lease.id
    )))
    .execute(&db)
    .await
    .unwrap();
    let month = |s: &str| Month::containing(s.parse().unwrap());
    let months = [
        month("2099-05-15T00:00:00Z"),
        month("2099-06-15T00:00:00Z"),
        month("2099-07-15T00:00:00Z"),
    ];
    let charged = store::usage::committed_compute_seconds(&db, w.tenant, &months)
        .await
        .unwrap();
    assert_eq!(charged, [0, 3600, 3600], "an hour in June, an hour in July");
}

/// `/metrics`' budget figure (`store::metrics::tenants`, every tenant in one statement) and the
/// budget check's (`committed_compute_seconds`, one tenant) are one definition: for a tenant
/// with a released slice that straddles the month's start, a live one whose lease ends next
/// month, a booking across the month's end and a slice moved off a booking (released before
/// its window starts), both count the same, and what the definition says.
#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_metrics_budget_figure_is_the_budget_checks_across_a_month_boundary(db: PgPool) {
    let w = fixture::world(&db).await;
    // Whole seconds, so that the expected figure below is exact.
    let now = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp(), 0).unwrap();
    let month = Month::containing(now);
    let next = Month::containing(month.end);
    let released = fixture::lease(&db, w, LeaseState::Ended).await;
    let live = fixture::lease(&db, w, LeaseState::Active).await;
    let booked = fixture::lease(&db, w, LeaseState::Booked).await;
    let moved = fixture::lease(&db, w, LeaseState::Booked).await;
    let hour = chrono::Duration::hours(1);
    let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "UPDATE slices SET created_at = '{r0}', released_at = '{r1}' WHERE lease_id = '{released}';
         UPDATE leases SET ended_at = '{r1}' WHERE id = '{released}';
         UPDATE slices SET created_at = '{l0}' WHERE lease_id = '{live}';
         UPDATE leases SET ends_at = '{l1}' WHERE id = '{live}';
         UPDATE leases SET granted_at = '{b0}', ends_at = '{b1}' WHERE id IN ('{booked}', '{moved}');
         UPDATE slices SET created_at = '{b0}' WHERE lease_id IN ('{booked}', '{moved}');
         UPDATE slices SET released_at = now(), rebooked = true WHERE lease_id = '{moved}'",
        r0 = at(month.start - hour),
        r1 = at(month.start + hour),
        l0 = at(now - hour),
        l1 = at(month.end + hour * 2),
        b0 = at(month.end - hour),
        b1 = at(month.end + hour),
        released = released.id,
        live = live.id,
        booked = booked.id,
        moved = moved.id,
    )))
    .execute(&db)
    .await
    .unwrap();
    let checked = store::usage::committed_compute_seconds(&db, w.tenant, &[month, next])
        .await
        .unwrap();
    let mut exported = Vec::new();
    for m in [month, next] {
        let gauges = store::metrics::tenants(&db, m.start, m.end).await.unwrap();
        let g = gauges.iter().find(|g| g.tenant == "team-a").unwrap();
        exported.push(g.budget_used_seconds);
    }
    assert_eq!(exported, checked, "one definition of the budget figure");
    // One compute slice each: an hour of the released slice in this month, the live one from
    // its start (this month's, if it began in the last) to the month's end and two hours
    // after, the booking an hour on each side, the moved-off slice nothing.
    let live_here = (month.end - (now - hour).max(month.start)).num_seconds();
    assert_eq!(checked, [3600 + live_here + 3600, 2 * 3600 + 3600]);
}
