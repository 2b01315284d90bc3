//! Taking a live lease back, whoever asks: its owner (release), an admin (revoke), the expiry
//! and idle jobs. One path, so every reason tears slices down the same way.

use super::Error;
use crate::domain::lease::{EndReason, LeaseState};
use crate::domain::lease_view::Lease;
use crate::store::{self, Tx};
use std::collections::HashMap;
use uuid::Uuid;

/// What taking leases back changed.
#[derive(Debug, Default)]
pub struct Released {
    /// Slices released now (to drop from the placement index after commit).
    pub slices: Vec<Uuid>,
    /// The leases ended at once (no agent on their hosts), as they now are.
    pub ended: HashMap<Uuid, Lease>,
}

/// A lease the caller has just moved to `releasing`, under its row lock.
#[derive(Debug)]
pub struct Releasing {
    pub id: Uuid,
    pub reason: EndReason,
    /// Whether any of its hosts has an agent (which then destroys the slices).
    pub agent_hosts: bool,
}

/// `from → releasing` with `reason`, an event `kind` by `actor`, and the teardown of the slices
/// (see [`tear_down`]). The caller holds the lease's row lock and read `from` under it.
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
        Some(s) if s.releasing => {
            let releasing = Releasing {
                id,
                reason,
                agent_hosts: s.agent_hosts,
            };
            tear_down(tx, &[releasing]).await
        }
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

/// Tears down the slices of leases now `releasing`. On hosts without an agent there is
/// nothing to tear down, so those leases end here: their slices are released and their `ended`
/// events written in one statement. Then the generation of every host touched is bumped once,
/// all in one statement and in id order, as late as possible (the host rows stay locked until
/// commit; DESIGN.md §2, invariant 4), and the slices on hosts with an agent are stamped with
/// their host's new generation: the agents destroy them and their reports end the leases.
///
/// This marks the transaction (`store::fleet::bump_generations_for_all`): slices it changes
/// afterwards must have their hosts bumped by the caller.
pub async fn tear_down(tx: &mut Tx<'_>, leases: &[Releasing]) -> Result<Released, Error> {
    let teardown: Vec<Uuid> = leases
        .iter()
        .filter(|l| l.agent_hosts)
        .map(|l| l.id)
        .collect();
    let end_now: Vec<store::leases::EndAsk> = leases
        .iter()
        .filter(|l| !l.agent_hosts)
        .map(|l| store::leases::EndAsk {
            id: l.id,
            reason: l.reason,
            detail: ended_detail(l.reason),
        })
        .collect();
    let mut released = Released::default();
    let mut hosts = Vec::new();
    if !end_now.is_empty() {
        for (lease, slices) in store::leases::end_released(tx, &end_now).await? {
            hosts.extend(
                lease
                    .slices
                    .iter()
                    .filter(|s| slices.contains(&s.id))
                    .map(|s| s.host_id),
            );
            released.slices.extend(slices);
            released.ended.insert(lease.id, lease);
        }
        if let Some(a) = end_now.iter().find(|a| !released.ended.contains_key(&a.id)) {
            return Err(Error::IllegalTransition {
                lease: a.id,
                from: LeaseState::Releasing,
                to: LeaseState::Ended,
            });
        }
    }
    if !leases.is_empty() {
        hosts.sort();
        hosts.dedup();
        store::fleet::bump_generations_for_all(tx, &hosts, &teardown).await?;
    }
    if !teardown.is_empty() {
        store::agents::stamp_teardown(tx, &teardown).await?;
    }
    Ok(released)
}

/// The `ended` event of a lease ended at once, on hosts without an agent.
pub fn ended_detail(reason: EndReason) -> serde_json::Value {
    serde_json::json!({
        "reason": reason.as_str(),
        "note": "no agent on the host: nothing to tear down",
    })
}
