//! Taking a lease back at its owner's or an admin's request: alone, or in a group-commit
//! batch (`batch.rs`).

use crate::app::auth::Principal;
use crate::app::release::{Releasing, tear_down};
use crate::app::{App, Error};
use crate::domain::lease::{EndReason, LeaseState};
use crate::domain::lease_view::Lease;
use crate::store;
use uuid::Uuid;

/// Release by the owner, or revoke by an admin: the lease goes to `releasing`; on hosts with
/// no agent enrolled there is nothing to tear down, so it ends in the same transaction.
pub async fn lease_end(
    app: &App,
    who: &Principal,
    id: Uuid,
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
    if let Some(out) = super::batch::end(app, request.clone()).await {
        return out;
    }
    end_alone(app, &request).await
}

/// A release or revoke, as the batch writer and the lone path take it.
#[derive(Clone, Debug)]
pub(crate) struct EndRequest {
    pub(super) id: Uuid,
    pub(super) reason: EndReason,
    /// Only a lease of this tenant (`None`: an admin's).
    pub(super) scope: Option<Uuid>,
    pub(super) actor: String,
}

impl EndRequest {
    pub(super) fn ask(&self) -> store::leases::ReleaseAsk<'_> {
        store::leases::ReleaseAsk {
            id: self.id,
            tenant: self.scope,
            reason: self.reason,
            kind: if self.reason == EndReason::Revoked {
                "revoked"
            } else {
                "released"
            },
            detail: serde_json::json!({ "reason": self.reason.as_str() }),
            actor: &self.actor,
        }
    }

    pub(super) fn illegal(&self, from: LeaseState, to: LeaseState) -> Error {
        Error::IllegalTransition {
            lease: self.id,
            from,
            to,
        }
    }
}

/// A release in a transaction of its own.
async fn end_alone(app: &App, r: &EndRequest) -> Result<Lease, Error> {
    end_many(app, &[r])
        .await?
        .pop()
        .expect("one answer per request")
}

/// Releases (or revokes) `requests`, all in one transaction: the leases are locked in id order;
/// those on hosts without an agent end now, the others are stamped for teardown by their
/// agents; every host touched has its generation bumped once, in one statement and in id order;
/// a queued lease is cancelled. Each request gets its own answer; an `Err` of the whole means
/// nothing was written. The caller sends each lease id at most once.
pub(super) async fn end_many(
    app: &App,
    requests: &[&EndRequest],
) -> Result<Vec<Result<Lease, Error>>, Error> {
    let mut tx = app.db().begin().await?;
    let asks: Vec<_> = requests.iter().map(|r| r.ask()).collect();
    let mut starts = store::leases::begin_release(&mut tx, &asks).await?;
    let mut outcomes: Vec<Option<Result<Lease, Error>>> = requests.iter().map(|_| None).collect();
    let mut releasing = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        let Some(start) = starts.remove(&r.id) else {
            outcomes[i] = Some(Err(Error::not_found("lease", r.id)));
            continue;
        };
        if start.releasing {
            releasing.push(Releasing {
                id: r.id,
                reason: r.reason,
                agent_hosts: start.agent_hosts,
            });
        } else if start.from == LeaseState::Pending {
            cancel_pending(&mut tx, r).await?;
        } else {
            outcomes[i] = Some(Err(r.illegal(start.from, LeaseState::Releasing)));
        }
    }
    let mut released = tear_down(&mut tx, &releasing).await?;
    let mut answers = Vec::with_capacity(requests.len());
    for (r, outcome) in requests.iter().zip(outcomes) {
        answers.push(match (outcome, released.ended.remove(&r.id)) {
            (Some(answer), _) => answer,
            (None, Some(lease)) => Ok(lease),
            (None, None) => store::leases::get(&mut tx, r.id, None)
                .await?
                .ok_or_else(|| Error::not_found("lease", r.id)),
        });
    }
    tx.commit().await?;
    app.index().forget(released.slices);
    Ok(answers)
}

/// `pending → ended(cancelled)` with its event; the caller holds the lease's row lock.
async fn cancel_pending(tx: &mut store::Tx<'_>, r: &EndRequest) -> Result<(), Error> {
    if !store::leases::transition(tx, r.id, LeaseState::Ended, Some(EndReason::Cancelled)).await? {
        return Err(r.illegal(LeaseState::Pending, LeaseState::Ended));
    }
    store::leases::insert_event(
        &mut **tx,
        r.id,
        "cancelled",
        Some(LeaseState::Pending),
        Some(LeaseState::Ended),
        serde_json::json!({}),
        &r.actor,
    )
    .await?;
    Ok(())
}
