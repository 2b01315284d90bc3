//! Taking a live lease back, whoever asks: its owner (release), an admin (revoke), the expiry
//! and idle jobs. One path, so every reason tears slices down the same way.

use super::Error;
use crate::domain::lease::{EndReason, LeaseState};
use crate::domain::lease_view::Lease;
use crate::store::{self, Tx};
use uuid::Uuid;

/// What taking a lease back changed.
#[derive(Debug, Default)]
pub struct Released {
    /// Slices released now (to drop from the placement index after commit).
    pub slices: Vec<Uuid>,
    /// The lease as it now is, when the release already read it (ended at once).
    pub lease: Option<Lease>,
}

/// `from → releasing` with `reason`, an event `kind` by `actor`, and the teardown of the slices
/// (see [`finish`]). The caller holds the lease's row lock and read `from` under it.
pub async fn begin(
    tx: &mut Tx<'_>,
    id: Uuid,
    from: LeaseState,
    reason: EndReason,
    kind: &str,
    actor: &str,
    mut detail: serde_json::Value,
) -> Result<Released, Error> {
    detail["reason"] = reason.as_str().into();
    let ask = store::leases::ReleaseAsk {
        id,
        tenant: None,
        reason,
        kind,
        detail,
        actor,
    };
    let start = store::leases::begin_release(tx, &[ask]).await?.remove(&id);
    match start {
        Some(s) if s.releasing => finish(tx, id, reason, s.agent_hosts).await,
        Some(s) => Err(Error::IllegalTransition {
            lease: id,
            from: s.from,
            to: LeaseState::Releasing,
        }),
        None => Err(Error::IllegalTransition {
            lease: id,
            from,
            to: LeaseState::Releasing,
        }),
    }
}

/// Tears down the slices of a lease now `releasing`. With an agent on any of its hosts, their
/// generations move so the agents destroy the slices, and their reports end the lease. On
/// hosts without an agent there is nothing to tear down, so the lease ends here: its slices
/// are released and the `ended` event written in one statement; their hosts' generations move
/// as the transaction commits (DESIGN.md §2, invariant 4; migration 0004).
pub async fn finish(
    tx: &mut Tx<'_>,
    id: Uuid,
    reason: EndReason,
    agent_hosts: bool,
) -> Result<Released, Error> {
    if agent_hosts {
        store::agents::begin_teardown(tx, &[id]).await?;
        return Ok(Released::default());
    }
    let ask = store::leases::EndAsk {
        id,
        reason,
        detail: ended_detail(reason),
    };
    let (lease, slices) =
        store::leases::end_released(tx, &[ask])
            .await?
            .pop()
            .ok_or(Error::IllegalTransition {
                lease: id,
                from: LeaseState::Releasing,
                to: LeaseState::Ended,
            })?;
    Ok(Released {
        slices,
        lease: Some(lease),
    })
}

/// The `ended` event of a lease ended at once, on hosts without an agent.
pub fn ended_detail(reason: EndReason) -> serde_json::Value {
    serde_json::json!({
        "reason": reason.as_str(),
        "note": "no agent on the host: nothing to tear down",
    })
}
