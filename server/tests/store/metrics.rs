//! `store::metrics`: the lease transition counts the trigger on `lease_events` keeps, read
//! before and after folding, and never counting a rolled-back transition.

use crate::fixture;
use slicebroker_server::store;
use slicebroker_types::api::{LeaseEventKind, LeaseState};
use sqlx::PgPool;

async fn count(db: &PgPool, from: &str, to: &str, kind: &str) -> i64 {
    store::metrics::transitions(db)
        .await
        .unwrap()
        .into_iter()
        .find(|(f, t, k, _)| (f.as_str(), t.as_str(), k.as_str()) == (from, to, kind))
        .map_or(0, |(.., n)| n)
}

async fn deltas(db: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM lease_transition_deltas")
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn every_committed_transition_counts_once_before_and_after_folding(db: PgPool) {
    let w = fixture::world(&db).await;
    let a = fixture::lease(&db, w, LeaseState::Provisioning).await;
    let b = fixture::lease(&db, w, LeaseState::Provisioning).await;
    let created = count(&db, "none", "provisioning", "granted").await;
    assert_eq!(
        created, 2,
        "each lease's first event, from the one insert statement each"
    );

    let activate = |id| {
        store::leases::insert_event(
            &db,
            id,
            LeaseEventKind::Activated,
            Some(LeaseState::Provisioning),
            Some(LeaseState::Active),
            serde_json::json!({}),
            "test",
        )
    };
    activate(a.id).await.unwrap();
    // An event that moves no state is no transition.
    store::leases::insert_event(
        &db,
        a.id,
        LeaseEventKind::Extended,
        None,
        None,
        serde_json::json!({}),
        "test",
    )
    .await
    .unwrap();
    // A rolled-back transition leaves nothing.
    let mut tx = db.begin().await.unwrap();
    store::leases::insert_event(
        &mut *tx,
        b.id,
        LeaseEventKind::Activated,
        Some(LeaseState::Provisioning),
        Some(LeaseState::Active),
        serde_json::json!({}),
        "test",
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(count(&db, "provisioning", "active", "activated").await, 1);
    assert_eq!(count(&db, "none", "none", "extended").await, 0);
    assert!(deltas(&db).await > 0);

    let mut tx = db.begin().await.unwrap();
    let folded = store::metrics::fold_transitions(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    assert!(folded > 0);
    assert_eq!(deltas(&db).await, 0, "folding empties the deltas");
    assert_eq!(count(&db, "none", "provisioning", "granted").await, created);
    assert_eq!(count(&db, "provisioning", "active", "activated").await, 1);

    activate(b.id).await.unwrap();
    assert_eq!(
        count(&db, "provisioning", "active", "activated").await,
        2,
        "totals plus the deltas not folded yet"
    );
}
