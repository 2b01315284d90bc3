//! `store::tenants`: policy round trips, the row locks, and what a tenant holds.

use crate::fixture;
use chrono::{DateTime, Utc};
use slicebroker_server::store;
use slicebroker_types::api::{LeaseState, TenantPolicy};
use slicebroker_types::{LeaseId, TenantId};
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
async fn a_tenant_holds_its_live_leases_and_unreleased_slices_over_their_windows(db: PgPool) {
    let w = fixture::world(&db).await;
    let pending = fixture::lease(&db, w, LeaseState::Pending).await;
    let active = fixture::lease(&db, w, LeaseState::Active).await;
    fixture::lease(&db, w, LeaseState::Ended).await;
    let booked = fixture::lease(&db, w, LeaseState::Booked).await;
    let nobody = TenantId::new();
    let now = Utc::now();
    let mut held = store::tenants::live_spans(&db, &[w.tenant, nobody], now)
        .await
        .unwrap();
    assert!(!held.contains_key(&nobody));
    let spans = held.remove(&w.tenant).unwrap();
    let of = |id: LeaseId| -> Vec<(Option<DateTime<Utc>>, i64, i64, i64)> {
        let mut v: Vec<_> = spans
            .iter()
            .filter(|s| s.lease == Some(id))
            .map(|s| (s.until, s.leases, s.compute, s.memory))
            .collect();
        v.sort();
        v
    };
    // Queued: a live lease from now on, with no slices.
    assert_eq!(of(pending.id), [(None, 1, 0, 0)]);
    // Running and booked: the lease and its slice over the lease's window.
    for lease in [&active, &booked] {
        assert_eq!(
            of(lease.id),
            [(lease.ends_at, 0, 1, 10), (lease.ends_at, 1, 0, 0)],
            "{:?}",
            lease.state
        );
        let starts: Vec<_> = spans
            .iter()
            .filter(|s| s.lease == Some(lease.id))
            .map(|s| s.from)
            .collect();
        assert_eq!(starts, [lease.granted_at.unwrap(); 2]);
    }
    assert_eq!(spans.len(), 5, "the ended lease holds nothing: {spans:?}");
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
