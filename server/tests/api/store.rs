//! Store-level checks against a fresh database.

use crate::harness::fresh_database;
use slicebroker_server::domain::lease::{LeaseState, TRANSITIONS};
use slicebroker_server::store;

#[tokio::test]
async fn rust_and_sql_lease_transition_tables_agree() {
    let db = sqlx::PgPool::connect(&fresh_database().await)
        .await
        .unwrap();
    store::migrate(&db).await.unwrap();
    let mut sql = store::leases::sql_transitions(&db).await.unwrap();
    let mut rust = TRANSITIONS.to_vec();
    sql.sort();
    rust.sort();
    assert_eq!(
        rust, sql,
        "domain::lease::TRANSITIONS and lease_transitions differ"
    );
    assert!(
        LeaseState::ALL
            .iter()
            .all(|s| s.can_become(LeaseState::Ended) || !s.is_live())
    );
}
