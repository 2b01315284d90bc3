//! Taking a live lease back, whoever asks: its owner (release), an admin (revoke), the expiry
//! and idle jobs. One path, so every reason tears slices down the same way.

use super::Error;
use crate::domain::lease::{EndReason, LeaseState};
use crate::store::{self, Tx};
use uuid::Uuid;

/// What taking a lease back changed, for the caller to finish with [`commit`].
#[derive(Debug, Default)]
pub struct Released {
    /// Slices released now (to drop from the placement index after commit).
    pub slices: Vec<Uuid>,
    /// Hosts whose desired generation must still move.
    pub hosts: Vec<Uuid>,
}

/// `from → releasing` with `reason`, an event `kind` by `actor`, and the teardown of the slices:
/// their hosts' generations move so the agents destroy them, and their reports end the lease.
/// On hosts without an agent there is nothing to tear down, so the lease ends here and its
/// slices are released at once; their hosts' generations are bumped by [`commit`], last, so
/// the host row locks are held only for the commit.
pub async fn begin(
    tx: &mut Tx<'_>,
    id: Uuid,
    from: LeaseState,
    reason: EndReason,
    kind: &str,
    actor: &str,
    mut detail: serde_json::Value,
) -> Result<Released, Error> {
    if !store::agents::begin_release(tx, id, reason).await? {
        return Err(Error::IllegalTransition {
            lease: id,
            from,
            to: LeaseState::Releasing,
        });
    }
    detail["reason"] = reason.as_str().into();
    store::leases::insert_event(
        &mut **tx,
        id,
        kind,
        Some(from),
        Some(LeaseState::Releasing),
        detail,
        actor,
    )
    .await?;
    if store::leases::has_agent_hosts(tx, id).await? {
        store::agents::begin_teardown(tx, id).await?;
        return Ok(Released::default());
    }
    let released = store::leases::release_slices(tx, id).await?;
    store::leases::transition(tx, id, LeaseState::Ended, Some(reason)).await?;
    store::leases::insert_event(
        &mut **tx,
        id,
        "ended",
        Some(LeaseState::Releasing),
        Some(LeaseState::Ended),
        serde_json::json!({
            "reason": reason.as_str(),
            "note": "no agent on the host: nothing to tear down",
        }),
        "system",
    )
    .await?;
    Ok(Released {
        slices: released.iter().map(|(s, _)| *s).collect(),
        hosts: released.iter().map(|(_, h)| *h).collect(),
    })
}

/// Bumps the hosts' desired generations (their slices changed, DESIGN.md §2 invariant 4) and
/// commits. The bump takes the hosts' row locks, which every grant and release on those hosts
/// waits for, so it comes last and the locks are held only for the commit.
pub async fn commit(mut tx: Tx<'_>, mut hosts: Vec<Uuid>) -> Result<(), sqlx::Error> {
    // A fixed order, so concurrent transactions lock host rows without deadlocking.
    hosts.sort();
    hosts.dedup();
    if !hosts.is_empty() {
        store::fleet::bump_generations(&mut *tx, &hosts).await?;
    }
    tx.commit().await
}
