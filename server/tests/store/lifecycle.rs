//! `store::lifecycle`: the candidate queries of the lifecycle jobs.

use crate::fixture;
use slicebroker_server::store;
use slicebroker_types::api::LeaseState;
use sqlx::PgPool;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn expiry_finds_live_leases_past_their_end_and_warns_once_per_end(db: PgPool) {
    let w = fixture::world(&db).await;
    let due = fixture::lease(&db, w, LeaseState::Active).await;
    let soon = fixture::lease(&db, w, LeaseState::Active).await;
    let ended = fixture::lease(&db, w, LeaseState::Ended).await;
    sqlx::query("UPDATE leases SET ends_at = now() - interval '1 minute' WHERE id = ANY($1)")
        .bind(vec![due.id.get(), ended.id.get()])
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        store::lifecycle::expired(&db, 10).await.unwrap(),
        vec![due.id]
    );
    assert_eq!(
        store::lifecycle::expiring(&db, 7200, 10).await.unwrap(),
        vec![soon.id]
    );
    let mut tx = db.begin().await.unwrap();
    store::leases::claim_expiry_warning(&mut tx, soon.id, 7200)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        store::lifecycle::expiring(&db, 7200, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn idleness_counts_from_activation_or_last_activity_without_overflow(db: PgPool) {
    let w = fixture::world(&db).await;
    let idle = fixture::lease(&db, w, LeaseState::Active).await;
    let busy = fixture::lease(&db, w, LeaseState::Active).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "UPDATE leases SET activated_at = now() - interval '1 hour',
                 granted_at = now() - interval '1 hour', idle_timeout_seconds = 600
             WHERE id IN ('{idle}', '{busy}');
         UPDATE slices SET last_active_at = now() WHERE lease_id = '{busy}'",
        idle = idle.id,
        busy = busy.id
    )))
    .execute(&db)
    .await
    .unwrap();
    let found = store::lifecycle::idle(&db, None, 80, 10).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, idle.id);
    assert!(found[0].idle_seconds >= 3599 && !found[0].warned);
}

/// A booking comes up in its lead, before its start: its idle clock starts at its start, so a
/// short idle timeout does not take it back as its paid time begins.
#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_booking_activated_before_its_start_is_not_idle_until_then(db: PgPool) {
    let w = fixture::world(&db).await;
    // The fixture's booking starts in an hour; activated a minute ago in a long lead.
    let booking = fixture::lease(&db, w, LeaseState::Booked).await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "UPDATE leases SET state = 'provisioning' WHERE id = '{0}';
         UPDATE leases SET state = 'active', activated_at = now() - interval '1 minute',
             idle_timeout_seconds = 30 WHERE id = '{0}'",
        booking.id
    )))
    .execute(&db)
    .await
    .unwrap();
    let found = store::lifecycle::idle(&db, Some(booking.id), 0, 10)
        .await
        .unwrap();
    assert_eq!(
        found.len(),
        0,
        "idle from its start, an hour away: {found:?}"
    );
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "UPDATE leases SET granted_at = now() - interval '40 seconds' WHERE id = '{}'",
        booking.id
    )))
    .execute(&db)
    .await
    .unwrap();
    let found = store::lifecycle::idle(&db, Some(booking.id), 100, 10)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "idle past its timeout since its start");
    assert!((40..60).contains(&found[0].idle_seconds), "{found:?}");
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_silent_host_goes_unreachable_then_its_leases_are_lost(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Active).await;
    sqlx::query("UPDATE hosts SET agent_enrolled_at = now()")
        .execute(&db)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO host_heartbeats (host_id, last_seen_at)
         SELECT id, now() - interval '1 hour' FROM hosts",
    )
    .execute(&db)
    .await
    .unwrap();
    let marked = store::lifecycle::mark_unreachable(&db, 1000).await.unwrap();
    assert_eq!(
        marked.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        vec![w.host]
    );
    assert!(
        store::lifecycle::mark_unreachable(&db, 1000)
            .await
            .unwrap()
            .is_empty(),
        "once"
    );
    assert!(
        store::lifecycle::leases_on_lost_hosts(&db, 3_600_000, 10)
            .await
            .unwrap()
            .is_empty()
    );
    sqlx::query("UPDATE hosts SET unreachable_since = now() - interval '1 hour'")
        .execute(&db)
        .await
        .unwrap();
    assert_eq!(
        store::lifecycle::leases_on_lost_hosts(&db, 1000, 10)
            .await
            .unwrap(),
        vec![lease.id]
    );
}
