//! Slices hold time windows (migration 0010): two live slices of one GPU may share memory slices
//! only in disjoint windows; a lease's end cannot run into a later window on its slices; a slice
//! being torn down holds its memory slices up to the next window booked on them.

use crate::fixture::{self, World};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use slicebroker_server::store::{self, Violation};
use slicebroker_types::api::{EndReason, Lease, LeaseState};
use slicebroker_types::{GpuId, LeaseId};
use sqlx::PgPool;

/// A provisioning lease with one 1g.10gb slice at memory slice `start` of `gpu`, holding
/// `[from, from + hours)` (a later `from` stands for a booking at the store's level).
fn windowed(w: World, gpu: GpuId, start: i32, from: DateTime<Utc>, hours: i64) -> Lease {
    let mut lease = fixture::view(w, LeaseState::Provisioning, gpu, start);
    lease.granted_at = Some(from);
    lease.ends_at = Some(from + Duration::hours(hours));
    lease
}

/// [`windowed`] with a 4g.40gb slice (memory slices `start..start + 4`) instead.
fn windowed_4g(w: World, gpu: GpuId, start: i32, from: DateTime<Utc>, hours: i64) -> Lease {
    let mut lease = windowed(w, gpu, start, from, hours);
    let s = &mut lease.slices[0];
    (s.profile, s.size, s.compute_slices, s.memory_gib) = ("4g.40gb".into(), 4, 4, 40);
    lease.request = "4g.40gb".into();
    lease
}

async fn insert(db: &PgPool, leases: &[&Lease]) -> Result<(), sqlx::Error> {
    let new: Vec<_> = leases.iter().map(|l| fixture::new_lease(l)).collect();
    let mut tx = db.begin().await?;
    store::leases::insert(&mut tx, &new).await?;
    tx.commit().await
}

async fn window(db: &PgPool, lease: &Lease) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    sqlx::query_as(
        "SELECT lower(during), upper(during) FROM slices WHERE lease_id = $1 \
         AND released_at IS NULL",
    )
    .bind(lease.id.get())
    .fetch_one(db)
    .await
    .unwrap()
}

/// The owners release these leases (their slices are then being torn down).
async fn begin_release(db: &PgPool, ids: &[LeaseId]) {
    let asks: Vec<_> = ids
        .iter()
        .map(|&id| store::leases::ReleaseAsk {
            id,
            tenant: None,
            reason: EndReason::Released,
            detail: serde_json::json!({}),
            actor: "test",
        })
        .collect();
    let mut tx = db.begin().await.unwrap();
    store::leases::begin_release(&mut tx, &asks).await.unwrap();
    tx.commit().await.unwrap();
}

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn slices_overlapping_in_memory_and_time_are_refused(db: PgPool) {
    let w = fixture::world(&db).await;
    let gpu = fixture::gpu(&db, w).await;
    let t = now();
    let running = windowed(w, gpu, 0, t, 2);
    insert(&db, &[&running]).await.unwrap();
    // Starts before the running one ends, on the same memory slice.
    let booking = windowed(w, gpu, 0, t + Duration::hours(1), 2);
    let e = insert(&db, &[&booking]).await.unwrap_err();
    assert_eq!(store::violation(&e), Some(Violation::SlicesOverlap));
    // Two writers in one statement: the same.
    let gpu2 = fixture::gpu(&db, w).await;
    let (a, b) = (
        windowed(w, gpu2, 0, t + Duration::hours(5), 2),
        windowed(w, gpu2, 0, t + Duration::hours(6), 2),
    );
    let e = insert(&db, &[&a, &b]).await.unwrap_err();
    assert_eq!(store::violation(&e), Some(Violation::SlicesOverlap));
    let live: i64 = sqlx::query_scalar("SELECT count(*) FROM slices WHERE released_at IS NULL")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(live, 1, "refused writes leave nothing behind");
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_same_memory_slices_in_disjoint_windows_are_allowed(db: PgPool) {
    let w = fixture::world(&db).await;
    let gpu = fixture::gpu(&db, w).await;
    let t = now();
    let running = windowed(w, gpu, 0, t, 2);
    // Back to back: `[t, t+2h)` and `[t+2h, t+4h)` do not overlap.
    let next = windowed(w, gpu, 0, t + Duration::hours(2), 2);
    let later = windowed(w, gpu, 0, t + Duration::hours(10), 1);
    // Overlapping in time, other memory slices.
    let beside = windowed(w, gpu, 1, t, 12);
    insert(&db, &[&running, &next, &later, &beside])
        .await
        .unwrap();
    assert_eq!(
        window(&db, &next).await,
        (t + Duration::hours(2), Some(t + Duration::hours(4)))
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_lease_can_be_extended_only_up_to_the_next_booking_of_its_slices(db: PgPool) {
    let w = fixture::world(&db).await;
    let gpu = fixture::gpu(&db, w).await;
    let t = now();
    let running = windowed(w, gpu, 0, t, 2);
    let booking = windowed(w, gpu, 0, t + Duration::hours(3), 2);
    insert(&db, &[&running, &booking]).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        store::leases::extendable_until(&mut tx, running.id)
            .await
            .unwrap(),
        Some(t + Duration::hours(3))
    );
    assert_eq!(
        store::leases::extendable_until(&mut tx, booking.id)
            .await
            .unwrap(),
        None,
        "nothing after the booking"
    );
    // Up to the booking's start: allowed, and the slice's window follows the lease's end.
    let end = store::leases::extend(&mut tx, running.id, 3600, 86_400)
        .await
        .unwrap();
    assert_eq!(end, Some(t + Duration::hours(3)));
    tx.commit().await.unwrap();
    assert_eq!(
        window(&db, &running).await,
        (t, Some(t + Duration::hours(3)))
    );
    // One second more: the database refuses, whoever asks.
    let mut tx = db.begin().await.unwrap();
    let e = store::leases::extend(&mut tx, running.id, 1, 86_400)
        .await
        .unwrap_err();
    assert_eq!(store::violation(&e), Some(Violation::SlicesOverlap));
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn activation_does_not_run_into_a_booking(db: PgPool) {
    let w = fixture::world(&db).await;
    let gpu = fixture::gpu(&db, w).await;
    let t = now();
    // An on-demand lease granted an hour ago that only comes up now would end an hour after
    // its booked neighbour starts; its end stops at that start instead.
    let running = windowed(w, gpu, 0, t - Duration::hours(1), 2);
    let booking = windowed(w, gpu, 0, t + Duration::hours(1), 2);
    insert(&db, &[&running, &booking]).await.unwrap();
    sqlx::query("UPDATE slices SET mig_device_uuid = 'MIG-1' WHERE lease_id = $1")
        .bind(running.id.get())
        .execute(&db)
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let moved = store::leases::activate_if_ready(&mut tx, &[running.id])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(moved[0].1, t + Duration::hours(1));
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_slice_being_torn_down_holds_its_memory_slices_up_to_the_next_booking(db: PgPool) {
    let w = fixture::world(&db).await;
    let gpu = fixture::gpu(&db, w).await;
    let t = now();
    let running = windowed(w, gpu, 0, t, 2);
    let booking = windowed(w, gpu, 0, t + Duration::hours(5), 2);
    let alone = windowed(w, gpu, 1, t, 2);
    insert(&db, &[&running, &booking, &alone]).await.unwrap();
    begin_release(&db, &[running.id, alone.id]).await;
    assert_eq!(
        window(&db, &running).await,
        (t, Some(t + Duration::hours(5))),
        "open up to the booking"
    );
    assert_eq!(window(&db, &alone).await, (t, None), "open without end");
    // Nothing new fits on the slice being torn down, even after the lease's end...
    let after = windowed(w, gpu, 1, t + Duration::hours(3), 1);
    let e = insert(&db, &[&after]).await.unwrap_err();
    assert_eq!(store::violation(&e), Some(Violation::SlicesOverlap));
    // ...until the agent reports it destroyed.
    sqlx::query("UPDATE slices SET released_at = now() WHERE lease_id = $1")
        .bind(alone.id.get())
        .execute(&db)
        .await
        .unwrap();
    insert(&db, &[&after]).await.unwrap();
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn each_slice_is_compared_by_its_own_memory_slices_whatever_the_sizes(db: PgPool) {
    // Found under load: a 1g slice granted in the same batch as a 4g one beside it (same window
    // start) could not be released (the 4g slice's size was taken for the 1g slice's), and a
    // later booking of the 4g slice's memory cut the 1g slice's windows short.
    let w = fixture::world(&db).await;
    let gpu = fixture::gpu(&db, w).await;
    let t = now();
    let small = windowed(w, gpu, 2, t, 2);
    let beside = windowed_4g(w, gpu, 4, t, 2);
    let booked_beside = windowed_4g(w, gpu, 4, t + Duration::hours(5), 2);
    insert(&db, &[&small, &beside, &booked_beside])
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    assert_eq!(
        store::leases::extendable_until(&mut tx, small.id)
            .await
            .unwrap(),
        None,
        "nothing is booked on memory slice 2"
    );
    assert_eq!(
        store::leases::extendable_until(&mut tx, beside.id)
            .await
            .unwrap(),
        Some(t + Duration::hours(5))
    );
    tx.commit().await.unwrap();
    begin_release(&db, &[small.id, beside.id]).await;
    assert_eq!(window(&db, &small).await, (t, None), "open without end");
    assert_eq!(
        window(&db, &beside).await,
        (t, Some(t + Duration::hours(5))),
        "open up to its own memory's booking"
    );
    // So the memory slice being torn down stays taken after the 4g booking's start too.
    let after = windowed(w, gpu, 2, t + Duration::hours(6), 1);
    let e = insert(&db, &[&after]).await.unwrap_err();
    assert_eq!(store::violation(&e), Some(Violation::SlicesOverlap));
}
