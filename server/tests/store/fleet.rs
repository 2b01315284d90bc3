//! `store::fleet`: the one way generations move, inventory, and what the placement index reads.

use crate::fixture;
use slicebroker_server::store;
use slicebroker_types::HostId;
use slicebroker_types::api::LeaseState;
use sqlx::PgPool;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_bump_moves_each_host_once_however_often_it_is_named(db: PgPool) {
    let w = fixture::world(&db).await;
    let other = HostId::new();
    store::fleet::insert_host(&db, other, "node-2")
        .await
        .unwrap();
    let generation = async |h| store::agents::desired_generation(&db, h).await.unwrap();
    let (a0, b0) = (generation(w.host).await, generation(other).await);
    let mut tx = db.begin().await.unwrap();
    store::fleet::bump_generations(&mut tx, &[other, w.host, other])
        .await
        .unwrap();
    store::fleet::bump_generations(&mut tx, &[]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        (generation(w.host).await, generation(other).await),
        (a0 + 1, b0 + 1)
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_index_sees_live_slices_and_cordons(db: PgPool) {
    let w = fixture::world(&db).await;
    let live = fixture::lease(&db, w, LeaseState::Active).await;
    fixture::lease(&db, w, LeaseState::Ended).await;
    let slices = store::fleet::live_slices(&db, None).await.unwrap();
    assert_eq!(slices.len(), 1);
    assert_eq!(slices[0].id, live.slices[0].id);
    let gpus = store::fleet::gpus(&db).await.unwrap();
    assert_eq!(gpus.len(), 2);
    assert!(gpus.iter().all(|g| g.schedulable));
    assert!(
        store::fleet::set_host_schedulable(&db, w.host, false)
            .await
            .unwrap()
    );
    assert!(
        !store::fleet::set_host_schedulable(&db, HostId::new(), false)
            .await
            .unwrap()
    );
    let hosts = store::fleet::hosts(&db).await.unwrap();
    assert!(!hosts[0].schedulable);
    let gpus = store::fleet::gpus(&db).await.unwrap();
    assert!(
        gpus.iter().all(|g| !g.schedulable),
        "a cordoned host's GPUs are not placed on"
    );
}
