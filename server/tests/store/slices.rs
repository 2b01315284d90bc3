//! `store::slices`: teardown stamps, what may be released, and the hosts a change touches.

use crate::fixture;
use slicebroker_server::store;
use slicebroker_types::api::LeaseState;
use sqlx::PgPool;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn only_a_slice_stamped_for_teardown_is_released_by_the_agent(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Releasing).await;
    let slice = lease.slices[0].id;
    let mut tx = db.begin().await.unwrap();
    store::slices::release_torn_down(&mut tx, &[slice])
        .await
        .unwrap();
    let live = store::slices::on_host(&mut tx, w.host).await.unwrap();
    assert_eq!(live.len(), 1, "not stamped: still live");
    store::fleet::bump_generations(&mut tx, &[w.host])
        .await
        .unwrap();
    store::slices::stamp_teardown(&mut tx, &[lease.id])
        .await
        .unwrap();
    let stamped = store::slices::on_host(&mut tx, w.host).await.unwrap();
    let generation = store::agents::desired_generation(&mut *tx, w.host)
        .await
        .unwrap();
    assert_eq!(
        stamped[0].teardown_generation,
        Some(generation),
        "the host's new generation"
    );
    store::slices::release_torn_down(&mut tx, &[slice])
        .await
        .unwrap();
    assert!(
        store::slices::on_host(&mut tx, w.host)
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_hosts_of_live_slices_are_listed_once_each(db: PgPool) {
    let w = fixture::world(&db).await;
    let a = fixture::lease(&db, w, LeaseState::Active).await;
    let b = fixture::lease(&db, w, LeaseState::Active).await;
    let ended = fixture::lease(&db, w, LeaseState::Ended).await;
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        store::slices::hosts_of_live(&mut tx, &[a.id, b.id])
            .await
            .unwrap(),
        vec![w.host]
    );
    assert!(
        store::slices::hosts_of_live(&mut tx, &[ended.id])
            .await
            .unwrap()
            .is_empty()
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn an_observation_of_activity_moves_the_idle_clock(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Active).await;
    let slice = lease.slices[0].id;
    let observe = |busy| store::slices::SliceObservation {
        mig_device_uuid: Some("MIG-1"),
        gpu_instance_id: 1,
        compute_instance_id: Some(0),
        processes: serde_json::json!([]),
        memory_used_mib: Some(5),
        activity: None,
        busy,
    };
    let last = async || -> Option<chrono::DateTime<chrono::Utc>> {
        sqlx::query_scalar("SELECT last_active_at FROM slices WHERE id = $1")
            .bind(slice.get())
            .fetch_one(&db)
            .await
            .unwrap()
    };
    let mut tx = db.begin().await.unwrap();
    store::slices::observe(&mut tx, &[(slice, observe(false))])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(last().await, None);
    let mut tx = db.begin().await.unwrap();
    store::slices::observe(&mut tx, &[(slice, observe(true))])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(last().await.is_some());
}
