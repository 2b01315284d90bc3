//! Taking a live lease back, whoever asks: its owner (release), an admin (revoke), the expiry
//! and idle jobs. One path, so every reason tears slices down the same way.

use super::Error;
use crate::domain::lease::{EndReason, LeaseState};
use crate::store::{self, Tx};
use uuid::Uuid;

/// `from → releasing` with `reason`, an event `kind` by `actor`, and the teardown of the slices:
/// their hosts' generations move so the agents destroy them, and their reports end the lease.
/// On hosts without an agent there is nothing to tear down, so the lease ends here. Returns
/// the slices released now (to drop from the placement index after commit).
pub async fn begin(
    tx: &mut Tx<'_>,
    id: Uuid,
    from: LeaseState,
    reason: EndReason,
    kind: &str,
    actor: &str,
    mut detail: serde_json::Value,
) -> Result<Vec<Uuid>, Error> {
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
        return Ok(Vec::new());
    }
    let released = store::leases::release_slices(tx, id).await?;
    let mut hosts: Vec<Uuid> = released.iter().map(|(_, h)| *h).collect();
    hosts.sort();
    hosts.dedup();
    store::fleet::bump_generations(&mut **tx, &hosts).await?;
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
    Ok(released.into_iter().map(|(s, _)| s).collect())
}
