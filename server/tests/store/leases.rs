//! `store::leases`: each guarded transition moves a lease only from the states it names, and
//! refuses every other one without changing anything.

use crate::fixture::{self, World};
use chrono::Utc;
use slicebroker_server::domain::budget::Month;
use slicebroker_server::store::{self, leases::TRANSITION_SOURCES};
use slicebroker_types::api::{EndReason, Lease, LeaseEventKind, LeaseState};
use sqlx::PgPool;

/// How an owner's cancel of a booking ends it.
const CANCELLED: (EndReason, LeaseEventKind) = (EndReason::Cancelled, LeaseEventKind::Cancelled);

/// Calls the transition `name` on a lease in each state and checks that it moved exactly the
/// leases in the states it names, to `to`, and left the others as they were.
async fn each_state<F>(db: &PgPool, name: &str, prepare: fn(&Lease) -> String, mut run: F)
where
    F: AsyncFnMut(&Lease) -> bool,
{
    let (_, from, to) = TRANSITION_SOURCES
        .iter()
        .find(|(n, ..)| *n == name)
        .copied()
        .unwrap();
    let w: World = fixture::world(db).await;
    for state in LeaseState::ALL {
        let lease = fixture::lease(db, w, state).await;
        let prep = prepare(&lease);
        if !prep.is_empty() {
            sqlx::raw_sql(sqlx::AssertSqlSafe(prep))
                .execute(db)
                .await
                .unwrap();
        }
        let changed = run(&lease).await;
        let allowed = from.contains(&state);
        assert_eq!(changed, allowed, "{name} from {state}");
        let now = fixture::state(db, lease.id).await;
        assert_eq!(now, if allowed { to } else { state }, "{name} from {state}");
    }
}

fn nothing(_: &Lease) -> String {
    String::new()
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn grant_pending_moves_only_pending_leases(db: PgPool) {
    each_state(&db, "grant_pending", nothing, async |lease| {
        let gpu = fixture::gpu(
            &db,
            World {
                tenant: lease.tenant_id,
                host: fixture_host(&db).await,
            },
        )
        .await;
        let slices = fixture::view(
            World {
                tenant: lease.tenant_id,
                host: fixture_host(&db).await,
            },
            LeaseState::Provisioning,
            gpu,
            0,
        )
        .slices;
        let mut tx = db.begin().await.unwrap();
        let now = Utc::now();
        let ok = store::leases::grant_pending(
            &mut tx,
            lease.id,
            now,
            now + chrono::Duration::hours(1),
            &slices,
            serde_json::json!({}),
        )
        .await
        .unwrap();
        store::fleet::bump_generations(&mut tx, &[fixture_host(&db).await])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        ok
    })
    .await;
}

async fn fixture_host(db: &PgPool) -> slicebroker_types::HostId {
    let id: uuid::Uuid = sqlx::query_scalar("SELECT id FROM hosts LIMIT 1")
        .fetch_one(db)
        .await
        .unwrap();
    id.into()
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn activation_moves_only_provisioning_leases_whose_slices_are_made(db: PgPool) {
    fn made(l: &Lease) -> String {
        format!(
            "UPDATE slices SET mig_device_uuid = 'MIG-x' WHERE lease_id = '{}'",
            l.id
        )
    }
    each_state(&db, "activate_if_ready", made, async |lease| {
        let mut tx = db.begin().await.unwrap();
        let moved = store::leases::activate_if_ready(&mut tx, &[lease.id])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        if let Some((id, _, slices)) = moved.first() {
            assert_eq!(*id, lease.id);
            assert_eq!(slices.len(), lease.slices.len(), "the lease's slices");
        }
        !moved.is_empty()
    })
    .await;
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn begin_release_moves_only_provisioning_and_active_leases(db: PgPool) {
    each_state(&db, "begin_release", nothing, async |lease| {
        let mut tx = db.begin().await.unwrap();
        let ask = store::leases::ReleaseAsk {
            id: lease.id,
            tenant: None,
            reason: EndReason::Released,
            detail: serde_json::json!({}),
            actor: "test",
        };
        let starts = store::leases::begin_release(&mut tx, &[ask]).await.unwrap();
        tx.commit().await.unwrap();
        starts[&lease.id].releasing
    })
    .await;
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_release_never_touches_another_tenants_lease(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Active).await;
    let mut tx = db.begin().await.unwrap();
    let ask = store::leases::ReleaseAsk {
        id: lease.id,
        tenant: Some(slicebroker_types::TenantId::new()),
        reason: EndReason::Released,
        detail: serde_json::json!({}),
        actor: "test",
    };
    assert!(
        store::leases::begin_release(&mut tx, &[ask])
            .await
            .unwrap()
            .is_empty()
    );
    tx.commit().await.unwrap();
    assert_eq!(fixture::state(&db, lease.id).await, LeaseState::Active);
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn ending_at_once_moves_only_releasing_leases_and_frees_their_slices(db: PgPool) {
    each_state(&db, "end_released", nothing, async |lease| {
        let mut tx = db.begin().await.unwrap();
        let ask = store::leases::EndAsk {
            id: lease.id,
            reason: EndReason::Released,
            detail: serde_json::json!({}),
        };
        let ended = store::leases::end_released(&mut tx, &[ask]).await.unwrap();
        store::fleet::bump_generations(&mut tx, &[fixture_host(&db).await])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        if let Some((l, released)) = ended.first() {
            assert_eq!(l.state, LeaseState::Ended);
            assert_eq!(released.len(), 1, "its slice is released");
        }
        !ended.is_empty()
    })
    .await;
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_torn_down_lease_ends_only_from_releasing(db: PgPool) {
    fn destroyed(l: &Lease) -> String {
        format!(
            "UPDATE slices SET teardown_generation = 1 WHERE lease_id = '{id}';
             UPDATE slices SET released_at = now() WHERE lease_id = '{id}'",
            id = l.id
        )
    }
    each_state(&db, "end_if_torn_down", destroyed, async |lease| {
        let mut tx = db.begin().await.unwrap();
        let ended = store::leases::end_if_torn_down(&mut tx, &[lease.id])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        if let Some((id, r)) = ended.first() {
            assert_eq!(*id, lease.id);
            assert_eq!(*r, EndReason::Released, "the reason it was released for");
        }
        !ended.is_empty()
    })
    .await;
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_lost_host_ends_only_live_leases_keeping_their_slices(db: PgPool) {
    each_state(&db, "end_on_lost_host", nothing, async |lease| {
        let mut tx = db.begin().await.unwrap();
        let reason = store::leases::end_on_lost_host(&mut tx, lease.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        reason.is_some()
    })
    .await;
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn cancelling_moves_only_pending_leases(db: PgPool) {
    each_state(&db, "cancel_pending", nothing, async |lease| {
        let mut tx = db.begin().await.unwrap();
        let ok = store::leases::cancel_pending(&mut tx, lease.id, EndReason::Cancelled)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        ok
    })
    .await;
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_rust_and_sql_transition_tables_agree(db: PgPool) {
    let mut sql = store::leases::sql_transitions(&db).await.unwrap();
    let mut rust = slicebroker_types::api::TRANSITIONS.to_vec();
    sql.sort();
    rust.sort();
    assert_eq!(rust, sql);
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn an_extension_stays_within_the_total_and_a_live_lease(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Active).await;
    let mut tx = db.begin().await.unwrap();
    let end = store::leases::extend(&mut tx, lease.id, 60, 100)
        .await
        .unwrap();
    assert!(end.is_some());
    assert!(
        store::leases::extend(&mut tx, lease.id, 60, 100)
            .await
            .unwrap()
            .is_none(),
        "120 s is past the 100 s total"
    );
    tx.commit().await.unwrap();
    let ended = fixture::lease(&db, w, LeaseState::Ended).await;
    let mut tx = db.begin().await.unwrap();
    assert!(
        store::leases::extend(&mut tx, ended.id, 1, 100)
            .await
            .unwrap()
            .is_none()
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn one_shot_warnings_are_claimed_once_per_end_and_idle_period(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Active).await;
    let mut tx = db.begin().await.unwrap();
    assert!(
        store::leases::claim_expiry_warning(&mut tx, lease.id, 7200)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store::leases::claim_expiry_warning(&mut tx, lease.id, 7200)
            .await
            .unwrap()
            .is_none()
    );
    store::leases::extend(&mut tx, lease.id, 60, 3600)
        .await
        .unwrap();
    assert!(
        store::leases::claim_expiry_warning(&mut tx, lease.id, 7200)
            .await
            .unwrap()
            .is_some(),
        "a new end is warned about again"
    );
    let since = Utc::now() - chrono::Duration::minutes(5);
    assert!(
        store::leases::claim_idle_warning(&mut tx, lease.id, since)
            .await
            .unwrap()
    );
    assert!(
        !store::leases::claim_idle_warning(&mut tx, lease.id, since)
            .await
            .unwrap()
    );
    let later = Utc::now() + chrono::Duration::minutes(5);
    assert!(
        store::leases::claim_idle_warning(&mut tx, lease.id, later)
            .await
            .unwrap(),
        "a new idle period is warned about again"
    );
}

/// Two writers that each hold memory slices the other is inserting wait on each other while
/// the exclusion constraint is checked; PostgreSQL fails one with a deadlock, which the write
/// path must take as a lost placement race (placed again), not as an internal error.
#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn crossing_inserts_deadlock_and_the_loser_is_told_it_lost_a_placement_race(db: PgPool) {
    let w = fixture::world(&db).await;
    let (g1, g2) = (fixture::gpu(&db, w).await, fixture::gpu(&db, w).await);
    let lease_on = |gpu| fixture::view(w, LeaseState::Provisioning, gpu, 0);
    let (a1, a2, b2, b1) = (lease_on(g1), lease_on(g2), lease_on(g2), lease_on(g1));
    let mut tx_a = db.begin().await.unwrap();
    let mut tx_b = db.begin().await.unwrap();
    store::leases::insert(&mut tx_a, &[fixture::new_lease(&a1)])
        .await
        .unwrap();
    store::leases::insert(&mut tx_b, &[fixture::new_lease(&b2)])
        .await
        .unwrap();
    // Each now inserts where the other holds an uncommitted slice, and waits for it.
    let (na2, nb1) = ([fixture::new_lease(&a2)], [fixture::new_lease(&b1)]);
    let (ra, rb) = tokio::join!(
        store::leases::insert(&mut tx_a, &na2),
        store::leases::insert(&mut tx_b, &nb1),
    );
    let errors: Vec<sqlx::Error> = [ra, rb].into_iter().filter_map(Result::err).collect();
    assert_eq!(errors.len(), 1, "exactly one writer is failed: {errors:?}");
    let e = &errors[0];
    assert_eq!(
        e.as_database_error().and_then(|d| d.code()).as_deref(),
        Some("40P01"),
        "{e}"
    );
    assert!(store::lost_placement_race(e));
    assert_eq!(store::violation(e), None);
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn start_booked_moves_only_bookings_due_within_the_lead(db: PgPool) {
    // The fixture's bookings start in an hour: a two-hour lead makes them due.
    each_state(&db, "start_booked", nothing, async |lease| {
        let mut tx = db.begin().await.unwrap();
        let started = store::leases::start_booked(&mut tx, 7200, 60_000, 100)
            .await
            .unwrap();
        store::fleet::bump_generations(&mut tx, &started.hosts)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        started.leases.contains(&lease.id)
    })
    .await;
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_booking_is_not_started_before_its_lead(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Booked).await;
    let mut tx = db.begin().await.unwrap();
    let started = store::leases::start_booked(&mut tx, 60, 60_000, 100)
        .await
        .unwrap();
    assert!(started.leases.is_empty());
    tx.commit().await.unwrap();
    assert_eq!(fixture::state(&db, lease.id).await, LeaseState::Booked);
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn cancel_booked_moves_only_booked_leases_and_frees_their_slices(db: PgPool) {
    each_state(&db, "cancel_booked", nothing, async |lease| {
        let mut tx = db.begin().await.unwrap();
        let freed = store::leases::cancel_booked(&mut tx, lease.id, CANCELLED, "test")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        if let Some(freed) = &freed {
            assert_eq!(freed, &vec![lease.slices[0].id]);
        }
        freed.is_some()
    })
    .await;
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_started_booking_keeps_its_end_when_it_comes_up(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Booked).await;
    let mut tx = db.begin().await.unwrap();
    store::leases::start_booked(&mut tx, 7200, 60_000, 100)
        .await
        .unwrap();
    store::fleet::bump_generations(&mut tx, &[w.host])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sqlx::query("UPDATE slices SET mig_device_uuid = 'MIG-1' WHERE lease_id = $1")
        .bind(lease.id.get())
        .execute(&db)
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let moved = store::leases::activate_if_ready(&mut tx, &[lease.id])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        Some(moved[0].1),
        lease.ends_at,
        "paid time runs from the start"
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_booking_is_charged_for_its_window_and_refunded_when_cancelled(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Booked).await;
    let start = lease.granted_at.unwrap();
    let (from, to) = (
        start - chrono::Duration::days(1),
        start + chrono::Duration::days(1),
    );
    let charged = store::usage::committed_compute_seconds(
        &db,
        w.tenant,
        &[Month {
            start: from,
            end: to,
        }],
    )
    .await
    .unwrap();
    assert_eq!(
        charged,
        [3600],
        "one compute slice for its hour, not from when it was booked"
    );
    let mut tx = db.begin().await.unwrap();
    store::leases::cancel_booked(&mut tx, lease.id, CANCELLED, "test")
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    let charged = store::usage::committed_compute_seconds(
        &db,
        w.tenant,
        &[Month {
            start: from,
            end: to,
        }],
    )
    .await
    .unwrap();
    assert_eq!(charged, [0], "refunded");
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_booking_starts_only_once_the_slice_before_it_is_gone(db: PgPool) {
    let w = fixture::world(&db).await;
    let booking = fixture::lease(&db, w, LeaseState::Booked).await;
    let gpu = booking.slices[0].gpu_id;
    // A lease on the same memory slice that ends as the booking starts.
    let mut before = fixture::view(w, LeaseState::Provisioning, gpu, 0);
    before.ends_at = booking.granted_at;
    let mut tx = db.begin().await.unwrap();
    store::leases::insert(&mut tx, &[fixture::new_lease(&before)])
        .await
        .unwrap();
    store::fleet::bump_generations(&mut tx, &[w.host])
        .await
        .unwrap();
    let started = store::leases::start_booked(&mut tx, 7200, 60_000, 100)
        .await
        .unwrap();
    assert!(started.leases.is_empty(), "its memory slice is still held");
    tx.commit().await.unwrap();
    sqlx::query("UPDATE slices SET released_at = now() WHERE lease_id = $1")
        .bind(before.id.get())
        .execute(&db)
        .await
        .unwrap();
    let mut tx = db.begin().await.unwrap();
    let started = store::leases::start_booked(&mut tx, 7200, 60_000, 100)
        .await
        .unwrap();
    store::fleet::bump_generations(&mut tx, &started.hosts)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(started.leases, vec![booking.id]);
    assert_eq!(started.gpus, vec![gpu]);
    // Started, its slice is made from now on: its window begins now, not at its start, so
    // nothing else fits on its memory slice in the lead, however short.
    let mut lead = fixture::view(w, LeaseState::Provisioning, gpu, 0);
    lead.ends_at = booking.granted_at.map(|t| t - chrono::Duration::minutes(1));
    let mut tx = db.begin().await.unwrap();
    let e = store::leases::insert(&mut tx, &[fixture::new_lease(&lead)])
        .await
        .unwrap_err();
    assert_eq!(store::violation(&e), Some(store::Violation::SlicesOverlap));
}

/// `rebook` moves only a booking (it is no transition: the lease stays `booked`), releasing the
/// old slice and giving the new one the lease's window, with its `rebooked` event; for a lease
/// in any other state it writes nothing.
#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn rebook_moves_only_bookings_to_new_slices_with_the_same_window(db: PgPool) {
    let w = fixture::world(&db).await;
    for state in LeaseState::ALL {
        let lease = fixture::lease(&db, w, state).await;
        let gpu = fixture::gpu(&db, w).await;
        let new = fixture::view(w, LeaseState::Booked, gpu, 0).slices;
        let old: Vec<_> = lease.slices.iter().map(|s| s.id).collect();
        let live_before: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM slices WHERE id = ANY($1) AND released_at IS NULL",
        )
        .bind(old.iter().map(|s| s.get()).collect::<Vec<_>>())
        .fetch_one(&db)
        .await
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        let moved = store::leases::rebook(&mut tx, lease.id, &old, &new, serde_json::json!({}))
            .await
            .unwrap();
        store::fleet::bump_generations(&mut tx, &[w.host])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(moved, state == LeaseState::Booked, "rebook from {state}");
        assert_eq!(fixture::state(&db, lease.id).await, state);
        let (live_old, live_new, same_window, events): (i64, i64, bool, i64) = sqlx::query_as(
            "SELECT
                 (SELECT count(*) FROM slices WHERE id = ANY($2) AND released_at IS NULL),
                 (SELECT count(*) FROM slices WHERE id = $3 AND released_at IS NULL),
                 coalesce((SELECT s.during = tstzrange(l.granted_at, l.ends_at)
                     FROM slices s JOIN leases l ON l.id = s.lease_id WHERE s.id = $3), false),
                 (SELECT count(*) FROM lease_events WHERE lease_id = $1 AND kind = 'rebooked')",
        )
        .bind(lease.id.get())
        .bind(old.iter().map(|s| s.get()).collect::<Vec<_>>())
        .bind(new[0].id.get())
        .fetch_one(&db)
        .await
        .unwrap();
        let n = i64::from(moved);
        assert_eq!(
            (live_old, live_new, same_window, events),
            (live_before * (1 - n), n, moved, n),
            "rebook from {state}"
        );
        if moved {
            // The view shows only where it is now; the old slice's story is in the events.
            let view = store::leases::get(&mut db.acquire().await.unwrap(), lease.id, None)
                .await
                .unwrap()
                .unwrap();
            let ids: Vec<_> = view.slices.iter().map(|s| s.id).collect();
            assert_eq!(ids, [new[0].id]);
            assert_eq!(view.slices[0].released_at, None);
        }
    }
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn fail_booked_moves_only_booked_leases_and_frees_their_slices(db: PgPool) {
    each_state(&db, "fail_booked", nothing, async |lease| {
        let mut tx = db.begin().await.unwrap();
        let freed = store::leases::fail_booked(&mut tx, lease.id, "host_lost")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        if let Some(freed) = &freed {
            assert_eq!(freed, &vec![lease.slices[0].id]);
            let (reason, detail): (String, serde_json::Value) = sqlx::query_as(
                "SELECT l.end_reason::text, e.detail FROM leases l JOIN lease_events e
                     ON e.lease_id = l.id AND e.kind = 'failed' AND e.from_state = 'booked'
                 WHERE l.id = $1",
            )
            .bind(lease.id.get())
            .fetch_one(&db)
            .await
            .unwrap();
            assert_eq!(reason, "failed");
            assert_eq!(detail["reason"], "host_lost");
        }
        freed.is_some()
    })
    .await;
}

/// A booking with nowhere to go is left out of the rebook job's candidates until its backoff
/// is over, never past its start, and at once again after an uncordon.
#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn an_at_risk_booking_waits_out_a_bounded_backoff_before_it_is_tried_again(db: PgPool) {
    let w = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Booked).await;
    sqlx::query("UPDATE gpus SET schedulable = false WHERE id = $1")
        .bind(lease.slices[0].gpu_id.get())
        .execute(&db)
        .await
        .unwrap();
    let candidates = async || {
        store::lifecycle::unusable_bookings(&db, None, 60_000, 100)
            .await
            .unwrap()
            .len()
    };
    assert_eq!(candidates().await, 1);
    // Nor does it start on the cordoned GPU while it waits (it fails at its start instead).
    let mut tx = db.begin().await.unwrap();
    let started = store::leases::start_booked(&mut tx, 7200, 60_000, 100)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(started.leases.is_empty());
    let next = async || -> chrono::DateTime<Utc> {
        sqlx::query_scalar("SELECT rebook_next_at FROM leases WHERE id = $1")
            .bind(lease.id.get())
            .fetch_one(&db)
            .await
            .unwrap()
    };
    let mut waits = Vec::new();
    for _ in 0..12 {
        let before = Utc::now();
        let mut tx = db.begin().await.unwrap();
        store::leases::rebook_later(&mut tx, lease.id)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        waits.push((next().await - before).num_seconds());
    }
    assert_eq!(candidates().await, 0, "waiting out its backoff");
    // 2 s doubling, then no later than its start (an hour away) nor 5 minutes.
    assert_eq!(&waits[..4], [2, 4, 8, 16]);
    assert!(waits.iter().all(|&s| s <= 300), "{waits:?}");
    assert_eq!(waits[11], 300, "{waits:?}");
    sqlx::query(
        "UPDATE leases SET granted_at = now() + interval '10 seconds',
                     ends_at = now() + interval '1 hour' WHERE id = $1",
    )
    .bind(lease.id.get())
    .execute(&db)
    .await
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    store::leases::rebook_later(&mut tx, lease.id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(
        (next().await - Utc::now()).num_seconds() <= 10,
        "tried at its start"
    );
    store::leases::rebook_now(&db).await.unwrap();
    assert_eq!(candidates().await, 1, "an uncordon retries it at once");
}
