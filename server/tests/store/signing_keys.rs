//! `store::signing_keys`: one key for every replica, whoever generates it first.

use slicebroker_server::store::{self, signing_keys::SigningKeyRow};
use sqlx::PgPool;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_first_key_stored_is_the_one_everyone_uses(db: PgPool) {
    assert!(store::signing_keys::current(&db).await.unwrap().is_none());
    let first = SigningKeyRow {
        kid: "one".into(),
        private_der: vec![1],
    };
    let second = SigningKeyRow {
        kid: "two".into(),
        private_der: vec![2],
    };
    assert_eq!(
        store::signing_keys::insert_or_get(&db, &first)
            .await
            .unwrap()
            .kid,
        "one"
    );
    assert_eq!(
        store::signing_keys::insert_or_get(&db, &second)
            .await
            .unwrap()
            .kid,
        "one"
    );
    assert_eq!(
        store::signing_keys::current(&db)
            .await
            .unwrap()
            .unwrap()
            .private_der,
        vec![1]
    );
}
