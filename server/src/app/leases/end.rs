//! Taking a lease back at its owner's or an admin's request, through `app::release`: any
//! number of requests in one transaction (a lone request is a batch of one), through the
//! group-commit writer when it runs. A queued lease is cancelled instead.

use crate::app::auth::Principal;
use crate::app::release::{self, Started};
use crate::app::{App, Error};
use crate::store;
use slicebroker_types::api::{EndReason, Lease, LeaseEventKind, LeaseState};
use slicebroker_types::{LeaseId, SliceId, TenantId};
use std::collections::HashMap;

/// Release by the owner, or revoke by an admin: the lease goes to `releasing`; on hosts with
/// no agent enrolled there is nothing to tear down, so it ends in the same transaction.
pub async fn lease_end(
    app: &App,
    who: &Principal,
    id: LeaseId,
    reason: EndReason,
) -> Result<Lease, Error> {
    if reason == EndReason::Revoked {
        who.require_admin()?;
    } else if !who.role.can_write_leases() {
        return Err(Error::Forbidden("viewers cannot release leases".into()));
    }
    let request = EndRequest {
        id,
        reason,
        scope: who.scope(),
        actor: who.actor(),
    };
    match app.writers() {
        Some(writers) => writers.end(request).await,
        None => end_many(app, &[&request])
            .await?
            .pop()
            .expect("one answer per request"),
    }
}

/// A release or revoke, as the write path takes it.
#[derive(Clone, Debug)]
pub(crate) struct EndRequest {
    pub(super) id: LeaseId,
    pub(super) reason: EndReason,
    /// Only a lease of this tenant (`None`: an admin's).
    pub(super) scope: Option<TenantId>,
    pub(super) actor: String,
}

/// Releases (or revokes) `requests`, all in one transaction (see `app::release`); a queued
/// lease is cancelled. Each request gets its own answer; an `Err` of the whole means nothing
/// was written. The caller sends each lease id at most once.
pub(super) async fn end_many(
    app: &App,
    requests: &[&EndRequest],
) -> Result<Vec<Result<Lease, Error>>, Error> {
    let mut tx = app.db().begin().await?;
    let asks: Vec<release::Ask> = requests
        .iter()
        .map(|r| release::Ask {
            id: r.id,
            tenant: r.scope,
            reason: r.reason,
            detail: serde_json::json!({}),
            actor: r.actor.clone(),
        })
        .collect();
    let (started, mut released) = release::release(&mut tx, &asks).await?;
    let mut answers = Vec::with_capacity(requests.len());
    for (r, s) in requests.iter().zip(started) {
        answers.push(match s {
            Started::Missing => Err(Error::not_found("lease", r.id)),
            Started::Refused(LeaseState::Pending) => {
                cancel_pending(&mut tx, r).await?;
                Ok(r.id)
            }
            Started::Refused(LeaseState::Booked) => {
                released.slices.extend(cancel_booked(&mut tx, r).await?);
                Ok(r.id)
            }
            Started::Refused(from) => Err(Error::IllegalTransition {
                lease: r.id,
                from,
                to: LeaseState::Releasing,
            }),
            Started::Releasing => Ok(r.id),
        });
    }
    // The leases that did not end at once, as they now are: one read for the batch.
    let read: Vec<LeaseId> = answers
        .iter()
        .filter_map(|a| a.as_ref().ok())
        .filter(|id| !released.ended.contains_key(id))
        .copied()
        .collect();
    let mut now: HashMap<LeaseId, Lease> = store::leases::many(&mut tx, &read)
        .await?
        .into_iter()
        .map(|l| (l.id, l))
        .collect();
    let answers = answers
        .into_iter()
        .map(|a| {
            let id = a?;
            released
                .ended
                .remove(&id)
                .or_else(|| now.remove(&id))
                .ok_or_else(|| Error::not_found("lease", id))
        })
        .collect();
    tx.commit().await?;
    app.index().forget(released.slices);
    Ok(answers)
}

/// `booked → ended` (cancelled, or revoked) before its start: its slices are released at once (its agent
/// was never told about them) and its hosts bumped (DESIGN.md §2, invariant 4). The caller
/// holds the lease's row lock. Returns the slices released.
async fn cancel_booked(tx: &mut store::Tx<'_>, r: &EndRequest) -> Result<Vec<SliceId>, Error> {
    let hosts = store::slices::hosts_of_live(tx, &[r.id]).await?;
    let Some(slices) =
        store::leases::cancel_booked(tx, r.id, never_ran(r.reason), &r.actor).await?
    else {
        return Err(Error::IllegalTransition {
            lease: r.id,
            from: LeaseState::Booked,
            to: LeaseState::Ended,
        });
    };
    store::fleet::bump_generations(tx, &hosts).await?;
    Ok(slices)
}

/// How a lease ends that never ran (queued, or booked and not started): `cancelled` when its
/// owner releases it, `revoked` when an admin revokes it.
fn never_ran(reason: EndReason) -> (EndReason, LeaseEventKind) {
    match reason {
        EndReason::Revoked => (EndReason::Revoked, LeaseEventKind::Revoked),
        _ => (EndReason::Cancelled, LeaseEventKind::Cancelled),
    }
}

/// `pending → ended` (cancelled, or revoked) with its event; the caller holds the lease's row
/// lock.
async fn cancel_pending(tx: &mut store::Tx<'_>, r: &EndRequest) -> Result<(), Error> {
    let (reason, kind) = never_ran(r.reason);
    if !store::leases::cancel_pending(tx, r.id, reason).await? {
        return Err(Error::IllegalTransition {
            lease: r.id,
            from: LeaseState::Pending,
            to: LeaseState::Ended,
        });
    }
    store::leases::insert_event(
        &mut **tx,
        r.id,
        kind,
        Some(LeaseState::Pending),
        Some(LeaseState::Ended),
        serde_json::json!({}),
        &r.actor,
    )
    .await?;
    Ok(())
}
