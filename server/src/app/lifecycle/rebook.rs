//! Bookings whose pinned places became unusable before their start (a GPU or host cordoned, a
//! host lost): each moves, in one transaction, to places free for its whole window (`rebooked`,
//! with the new placements); when none are free it is marked `at_risk` once and stays, and is
//! tried again after a backoff kept in its row (2 s doubling up to 5 min, never past its start;
//! cleared by an uncordon), so that a booking with nowhere to go costs nothing most passes on
//! any replica. When its start comes and still nothing is free, it ends `failed` with the
//! at-risk reason. Runs every lifecycle pass and right after a cordon or uncordon.

use crate::app::leases::placements;
use crate::app::placement::{Reserved, end_secs, start_secs};
use crate::app::{App, Error};
use crate::store::{self, lifecycle};
use chrono::Utc;
use slicebroker_types::api::{LeaseEventKind, LeaseSlice, LeaseState};
use slicebroker_types::{GpuModel, LeaseId, SliceId, SliceShape};

pub async fn run(app: &App) -> Result<(), Error> {
    let lost_after = app.config().host_lost_after().as_millis() as i64;
    let unusable = lifecycle::unusable_bookings(app.db(), None, lost_after, super::BATCH).await?;
    let mut leases: Vec<LeaseId> = unusable.iter().map(|u| u.lease_id).collect();
    leases.dedup();
    super::each("rebook", leases, |id| rebook(app, id, lost_after)).await;
    Ok(())
}

/// How one booking came out.
enum Outcome {
    Moved(Vec<SliceId>, Vec<SliceId>),
    Stays,
}

async fn rebook(app: &App, id: LeaseId, lost_after: i64) -> Result<(), Error> {
    let mut tx = app.db().begin().await?;
    store::fleet::hold_placement(&mut tx, store::fleet::Placing::Beside).await?;
    if store::leases::try_lock(&mut tx, id).await? != Some(LeaseState::Booked) {
        return Ok(());
    }
    // Re-read under the lock: it may have moved meanwhile.
    let unusable = lifecycle::unusable_bookings(&mut *tx, Some(id), lost_after, i64::MAX).await?;
    let Some(first) = unusable.first() else {
        return Ok(());
    };
    let (reason, warned) = (first.reason.clone(), first.warned);
    let Some(lease) = store::leases::get(&mut tx, id, None).await? else {
        return Ok(());
    };
    let (Some(from), Some(to)) = (lease.granted_at, lease.ends_at) else {
        return Ok(());
    };
    let old: Vec<&LeaseSlice> = lease
        .slices
        .iter()
        .filter(|s| unusable.iter().any(|u| u.slice_id == s.id))
        .collect();
    let reserved = match reserve(app, &old, start_secs(from), end_secs(to)) {
        Some(reserved) => reserved,
        None if from <= Utc::now() => {
            // Its start has come and its slice cannot be made: it ends `failed`.
            return fail(app, tx, id, &lease.slices, &reason).await;
        }
        None => {
            if !warned {
                store::leases::insert_event(
                    &mut *tx,
                    id,
                    LeaseEventKind::AtRisk,
                    None,
                    None,
                    serde_json::json!({ "reason": reason }),
                    "system",
                )
                .await?;
                tracing::warn!(lease = %id, %reason, "booking at risk: no other place is free for its window");
            }
            store::leases::rebook_later(&mut tx, id).await?;
            tx.commit().await?;
            return Ok(());
        }
    };
    // Like every change to a host's slices, bumped in the same transaction (DESIGN.md §2,
    // invariant 4), as a cancelled booking's are: the agents' desired configs do not change
    // (a booking's slices reach them at its start) but the generation rule stays unbroken.
    let hosts: Vec<_> = old
        .iter()
        .map(|s| s.host_id)
        .chain(reserved.iter().map(|r| r.host_id))
        .collect();
    let old: Vec<SliceId> = old.iter().map(|s| s.id).collect();
    let new: Vec<LeaseSlice> = reserved.iter().map(Reserved::view).collect();
    let new_ids: Vec<SliceId> = new.iter().map(|s| s.id).collect();
    let outcome = async {
        if !store::leases::rebook(&mut tx, id, &old, &new, placements(&reserved)).await? {
            return Ok::<_, sqlx::Error>(Outcome::Stays);
        }
        store::fleet::bump_generations(&mut tx, &hosts).await?;
        let gpus: Vec<_> = reserved.iter().map(|r| r.gpu_id).collect();
        store::notify::windows_moved(&mut *tx, &gpus).await?;
        tx.commit().await?;
        Ok(Outcome::Moved(old, new_ids.clone()))
    }
    .await;
    match outcome {
        Ok(Outcome::Moved(old, new)) => {
            app.index().confirm(&new);
            app.index().forget(old);
            tracing::info!(lease = %id, %reason, "booking moved to places free for its window");
            Ok(())
        }
        Ok(Outcome::Stays) => {
            app.index().forget(new_ids);
            Ok(())
        }
        Err(e) => {
            app.index().forget(new_ids);
            if store::lost_placement_race(&e) {
                // Another replica placed there; the next pass plans again on a fresh view.
                for r in &reserved {
                    app.index().refresh_gpu(app.db(), r.gpu_id).await?;
                }
            }
            Err(e.into())
        }
    }
}

/// Ends the booking `id` `failed` with `reason` (the at-risk one): its slices released, the
/// index told, their hosts bumped (DESIGN.md §2, invariant 4).
async fn fail(
    app: &App,
    mut tx: store::Tx<'_>,
    id: LeaseId,
    slices: &[LeaseSlice],
    reason: &str,
) -> Result<(), Error> {
    let Some(released) = store::leases::fail_booked(&mut tx, id, reason).await? else {
        return Ok(());
    };
    let hosts: Vec<_> = slices.iter().map(|s| s.host_id).collect();
    store::fleet::bump_generations(&mut tx, &hosts).await?;
    tx.commit().await?;
    app.index().forget(released);
    tracing::warn!(lease = %id, %reason, "booking failed: its start came and its slice cannot be made");
    Ok(())
}

/// Places for the slices `old`, each of its own model and profile, free for `[from, to)`:
/// all or nothing (what was held for the others is let go).
fn reserve(app: &App, old: &[&LeaseSlice], from: i64, to: i64) -> Option<Vec<Reserved>> {
    let mut shapes: Vec<(SliceShape, usize)> = Vec::new();
    for s in old {
        let model = GpuModel::find(&s.model)?;
        let profile = GpuModel::get(model).profile_by_name(&s.profile)?;
        let shape = SliceShape { model, profile };
        match shapes.iter_mut().find(|(sh, _)| *sh == shape) {
            Some((_, n)) => *n += 1,
            None => shapes.push((shape, 1)),
        }
    }
    let mut reserved = Vec::new();
    for (shape, n) in shapes {
        match app.index().reserve_during(vec![shape], n, from, to) {
            Ok(r) => reserved.extend(r),
            Err(_) => {
                app.index()
                    .forget(reserved.iter().map(|r: &Reserved| r.slice_id));
                return None;
            }
        }
    }
    Some(reserved)
}
