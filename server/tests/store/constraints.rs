//! Every named constraint in `store::CONSTRAINTS` is violated once here and comes back as its
//! domain error, so a renamed constraint cannot silently turn a conflict into a 500.

use crate::fixture;
use slicebroker_server::store::{self, CONSTRAINTS, Violation};
use slicebroker_types::api::{LeaseState, Role, TenantPolicy};
use slicebroker_types::{ApiKeyId, GpuId, TenantId};
use sqlx::PgPool;

async fn violated(db: &PgPool, name: &str) -> Option<Violation> {
    let w = fixture::world(db).await;
    let e = match name {
        "slices_no_overlap" => {
            let gpu = fixture::gpu(db, w).await;
            let a = fixture::view(w, LeaseState::Provisioning, gpu, 0);
            let b = fixture::view(w, LeaseState::Provisioning, gpu, 0);
            let mut tx = db.begin().await.unwrap();
            store::leases::insert(&mut tx, &[fixture::new_lease(&a), fixture::new_lease(&b)])
                .await
                .unwrap_err()
        }
        "tenants_name_unique" => store::tenants::insert(
            db,
            TenantId::new(),
            "team-a",
            "again",
            &TenantPolicy::default(),
        )
        .await
        .unwrap_err(),
        "leases_idempotency_key_unique" => {
            let gpu = fixture::gpu(db, w).await;
            let (a, b) = (
                fixture::view(w, LeaseState::Pending, gpu, 0),
                fixture::view(w, LeaseState::Pending, gpu, 0),
            );
            let mut tx = db.begin().await.unwrap();
            let mut na = fixture::new_lease(&a);
            na.origin.idempotency_key = Some("k");
            let mut nb = fixture::new_lease(&b);
            nb.origin.idempotency_key = Some("k");
            store::leases::insert(&mut tx, &[na, nb]).await.unwrap_err()
        }
        "gpus_host_index_unique" => {
            fixture::gpu(db, w).await;
            store::fleet::insert_gpu(db, GpuId::new(), w.host, "GPU-other", 0, "h100-80gb")
                .await
                .unwrap_err()
        }
        "slice_classes_pkey" => {
            let spec = crate::classes::spec();
            store::classes::insert(db, "notebook", &spec).await.unwrap();
            store::classes::insert(db, "notebook", &spec)
                .await
                .unwrap_err()
        }
        "leases_legal_transition" => {
            let lease = fixture::lease(db, w, LeaseState::Ended).await;
            sqlx::query("UPDATE leases SET state = 'active' WHERE id = $1")
                .bind(lease.id.get())
                .execute(db)
                .await
                .unwrap_err()
        }
        "api_keys_hash_unique" => {
            let key = |id| store::api_keys::NewApiKey {
                id,
                tenant_id: Some(w.tenant),
                role: Role::Member,
                name: "k",
                hash: &[4u8; 32],
                prefix: "sbk_x",
                created_by: None,
            };
            store::api_keys::insert(db, key(ApiKeyId::new()))
                .await
                .unwrap();
            store::api_keys::insert(db, key(ApiKeyId::new()))
                .await
                .unwrap_err()
        }
        other => panic!("no case for constraint {other}: add one"),
    };
    store::violation(&e)
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn slices_no_overlap(db: PgPool) {
    assert_eq!(
        violated(&db, "slices_no_overlap").await,
        Some(Violation::SlicesOverlap)
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn tenants_name_unique(db: PgPool) {
    assert_eq!(
        violated(&db, "tenants_name_unique").await,
        Some(Violation::TenantNameTaken)
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn leases_idempotency_key_unique(db: PgPool) {
    assert_eq!(
        violated(&db, "leases_idempotency_key_unique").await,
        Some(Violation::IdempotencyKeyTaken)
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn gpus_host_index_unique(db: PgPool) {
    assert_eq!(
        violated(&db, "gpus_host_index_unique").await,
        Some(Violation::GpuIndexTaken)
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn leases_legal_transition(db: PgPool) {
    assert_eq!(
        violated(&db, "leases_legal_transition").await,
        Some(Violation::IllegalTransition)
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn api_keys_hash_unique(db: PgPool) {
    assert_eq!(
        violated(&db, "api_keys_hash_unique").await,
        Some(Violation::ApiKeyTaken)
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn slice_classes_pkey(db: PgPool) {
    assert_eq!(
        violated(&db, "slice_classes_pkey").await,
        Some(Violation::ClassNameTaken)
    );
}

/// The table has a test above for each of its entries (by name).
#[test]
fn every_constraint_in_the_table_has_a_test_here() {
    let here = include_str!("constraints.rs");
    for (name, _) in CONSTRAINTS {
        assert!(
            here.contains(&format!("async fn {name}(db: PgPool)")),
            "store::CONSTRAINTS lists `{name}` but tests/store/constraints.rs has no test for it"
        );
    }
}
