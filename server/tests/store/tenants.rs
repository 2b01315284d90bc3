//! `store::tenants`: policy round trips, the row locks, and what a tenant holds.

use crate::fixture;
use slicebroker_server::store;
use slicebroker_types::TenantId;
use slicebroker_types::api::{LeaseState, TenantPolicy};
use sqlx::PgPool;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_policy_is_stored_field_for_field(db: PgPool) {
    let policy = TenantPolicy {
        max_live_compute_slices: Some(7),
        max_live_memory_gib: None,
        max_live_leases: Some(3),
        max_lease_seconds: 60,
        max_total_extension_seconds: 0,
        default_idle_timeout_seconds: 30,
        allowed_gpu_models: vec!["h100-80gb".into()],
        monthly_budget_slice_hours: Some(10),
        max_booking_ahead_seconds: 3600,
        max_bookings: Some(2),
        max_booking_seconds: Some(1800),
        max_compute_slices_outside_classes: Some(4),
    };
    let id = TenantId::new();
    store::tenants::insert(&db, id, "team-b", "B", &policy)
        .await
        .unwrap();
    assert_eq!(
        store::tenants::get(&db, id).await.unwrap().unwrap().policy,
        policy
    );
    let changed = TenantPolicy {
        max_live_leases: None,
        ..policy
    };
    let t = store::tenants::update(&db, id, "Bee", &changed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((t.display_name.as_str(), t.policy), ("Bee", changed));
    assert!(
        store::tenants::update(&db, TenantId::new(), "x", &TenantPolicy::default())
            .await
            .unwrap()
            .is_none()
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_tenant_holds_its_live_leases_and_unreleased_slices(db: PgPool) {
    let w = fixture::world(&db).await;
    fixture::lease(&db, w, LeaseState::Pending).await;
    fixture::lease(&db, w, LeaseState::Active).await;
    fixture::lease(&db, w, LeaseState::Ended).await;
    let nobody = TenantId::new();
    let held = store::tenants::live_usage(&db, &[w.tenant, nobody])
        .await
        .unwrap();
    let h = held[&w.tenant];
    assert_eq!((h.leases, h.compute, h.memory), (2, 1, 10));
    assert_eq!(held[&nobody].leases, 0);
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn tenants_are_locked_in_id_order(db: PgPool) {
    let w = fixture::world(&db).await;
    let other = TenantId::new();
    store::tenants::insert(&db, other, "team-z", "Z", &TenantPolicy::default())
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let locked = store::tenants::lock_many(&mut tx, &[other, w.tenant])
        .await
        .unwrap();
    let ids: Vec<TenantId> = locked.iter().map(|t| t.id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}
