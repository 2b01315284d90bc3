//! `store::api_keys`: keys are found by hash until revoked, and revoked once.

use slicebroker_server::store::{self, api_keys::NewApiKey};
use slicebroker_types::ApiKeyId;
use slicebroker_types::api::Role;
use sqlx::PgPool;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_key_works_until_it_is_revoked_once(db: PgPool) {
    let id = ApiKeyId::new();
    let new = NewApiKey {
        id,
        tenant_id: None,
        role: Role::Admin,
        name: "ops",
        hash: &[3u8; 32],
        prefix: "sbk_ab",
        created_by: None,
    };
    let key = store::api_keys::insert(&db, new).await.unwrap();
    assert_eq!(
        (key.id, key.role, key.prefix.as_str()),
        (id, Role::Admin, "sbk_ab")
    );
    assert!(store::api_keys::admin_key_exists(&db).await.unwrap());
    assert_eq!(
        store::api_keys::find_active_by_hash(&db, &[3u8; 32])
            .await
            .unwrap()
            .map(|k| k.id),
        Some(id)
    );
    assert!(store::api_keys::revoke(&db, id).await.unwrap().is_some());
    assert!(
        store::api_keys::revoke(&db, id).await.unwrap().is_none(),
        "already revoked"
    );
    assert!(
        store::api_keys::find_active_by_hash(&db, &[3u8; 32])
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store::api_keys::admin_key_exists(&db).await.unwrap());
}
