//! `store::agents`: enrollment tokens, re-registration, and reports accepted in order.

use slicebroker_server::store::{self, agents::Accept, agents::HostFacts};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn an_enrollment_token_is_used_once(db: PgPool) {
    let id = Uuid::now_v7();
    let expires = chrono::Utc::now() + chrono::Duration::hours(1);
    store::agents::insert_enrollment_token(&db, id, &[1u8; 32], "sbe_x", "rack 1", None, expires)
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        store::agents::lock_enrollment_token(&mut tx, &[1u8; 32])
            .await
            .unwrap(),
        Some(id)
    );
    let facts = HostFacts {
        name: "node-1",
        agent_version: "1",
        driver_version: None,
    };
    let (host, _) = store::agents::upsert_host(&mut tx, &facts, Some(&[2u8; 32]))
        .await
        .unwrap();
    store::agents::use_enrollment_token(&mut tx, id, host)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        store::agents::lock_enrollment_token(&mut tx, &[1u8; 32])
            .await
            .unwrap(),
        None
    );
    let tokens = store::agents::enrollment_tokens(&mut *tx).await.unwrap();
    assert_eq!(tokens[0].used_by_host, Some(host));
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn registering_again_keeps_the_host_and_reports_are_accepted_in_order(db: PgPool) {
    let facts = HostFacts {
        name: "node-1",
        agent_version: "1",
        driver_version: Some("570"),
    };
    let mut tx = db.begin().await.unwrap();
    let (first, _) = store::agents::upsert_host(&mut tx, &facts, Some(&[2u8; 32]))
        .await
        .unwrap();
    let (again, _) = store::agents::upsert_host(&mut tx, &facts, None)
        .await
        .unwrap();
    assert_eq!(first, again);
    // Hosts start at generation 1: a report of 0 is accepted, 2 is newer than any handed out.
    let accept = async |tx: &mut sqlx::Transaction<'_, sqlx::Postgres>, g| {
        store::agents::accept_report(tx, first, g).await.unwrap()
    };
    assert!(matches!(
        accept(&mut tx, 0).await,
        Accept::Accepted { desired: 1, .. }
    ));
    assert_eq!(accept(&mut tx, 2).await, Accept::TooNew);
    store::fleet::bump_generations(&mut tx, &[first])
        .await
        .unwrap();
    assert!(matches!(
        accept(&mut tx, 1).await,
        Accept::Accepted { desired: 2, .. }
    ));
    assert_eq!(
        accept(&mut tx, 0).await,
        Accept::Stale { desired: 2 },
        "an older report"
    );
    tx.commit().await.unwrap();
    let host = store::agents::host_by_credential(&db, &[2u8; 32])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(host.id, first);
    // Hosts start at generation 1; the bump made it 2; report 1 is the newest accepted.
    assert_eq!(
        store::agents::generations(&db, first).await.unwrap(),
        (1, 2)
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_first_report_to_reach_a_bumped_generation_says_how_long_it_took(db: PgPool) {
    let facts = HostFacts {
        name: "node-1",
        agent_version: "1",
        driver_version: Some("570"),
    };
    let mut tx = db.begin().await.unwrap();
    let (host, _) = store::agents::upsert_host(&mut tx, &facts, Some(&[3u8; 32]))
        .await
        .unwrap();
    let reconciled = async |tx: &mut sqlx::Transaction<'_, sqlx::Postgres>, g| {
        match store::agents::accept_report(tx, host, g).await.unwrap() {
            Accept::Accepted {
                reconciled_after, ..
            } => reconciled_after,
            other => panic!("{other:?}"),
        }
    };
    // Generation 1 was never bumped to: nothing to time.
    assert_eq!(reconciled(&mut tx, 1).await, None);
    store::fleet::bump_generations(&mut tx, &[host])
        .await
        .unwrap();
    store::fleet::bump_generations(&mut tx, &[host])
        .await
        .unwrap();
    assert_eq!(
        reconciled(&mut tx, 2).await,
        None,
        "still behind generation 3"
    );
    // One transaction: the bump and the report share `now()`.
    assert_eq!(reconciled(&mut tx, 3).await, Some(0.0));
    assert_eq!(reconciled(&mut tx, 3).await, None, "reported before");
}
