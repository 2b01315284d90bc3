//! Taking a lease back at its owner's or an admin's request: alone, or in a group-commit
//! batch (`batch.rs`).

use crate::app::auth::Principal;
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

async fn end_alone(app: &App, r: &EndRequest) -> Result<Lease, Error> {
    let mut tx = app.db().begin().await?;
    let id = r.id;
    let start = store::leases::begin_release(&mut tx, &[r.ask()])
        .await?
        .remove(&id)
        .ok_or_else(|| Error::not_found("lease", id))?;
    let released = if start.releasing {
        crate::app::release::finish(&mut tx, id, r.reason, start.agent_hosts).await?
    } else if start.from == LeaseState::Pending {
        cancel_pending(&mut tx, r).await?;
        crate::app::release::Released::default()
    } else {
        return Err(r.illegal(start.from, LeaseState::Releasing));
    };
    let lease = match released.lease {
        Some(lease) => Some(lease),
        None => store::leases::get(&mut tx, id, None).await?,
    };
    tx.commit().await?;
    app.index().forget(released.slices);
    lease.ok_or_else(|| Error::not_found("lease", id))
}

/// `pending → ended(cancelled)` with its event; the caller holds the lease's row lock.
pub(super) async fn cancel_pending(tx: &mut store::Tx<'_>, r: &EndRequest) -> Result<(), Error> {
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
