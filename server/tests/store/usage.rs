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
