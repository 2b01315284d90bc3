//! Taking leases back, whoever asks and whatever the reason: their owner (release), an admin
//! (revoke), the expiry and idle jobs, a slice the agent could not make (failure), and a host
//! that stopped reporting (host loss). One path, so every reason tears slices down the same
//! way, and moves the generation of every host whose slices change once, in the same
//! transaction (DESIGN.md §2, invariant 4).

use super::Error;
use crate::store::{self, Tx};
use slicebroker_types::api::{EndReason, Lease, LeaseEventKind, LeaseState};
use slicebroker_types::{HostId, LeaseId, SliceId, TenantId};
use std::collections::HashMap;

/// What taking leases back changed.
#[derive(Debug, Default)]
pub struct Released {
    /// Slices released now (to drop from the placement index after commit).
    pub slices: Vec<SliceId>,
    /// The leases ended at once (no agent on their hosts), as they now are.
    pub ended: HashMap<LeaseId, Lease>,
}

/// A lease to take back.
#[derive(Debug)]
pub struct Ask {
    pub id: LeaseId,
    /// Only a lease of this tenant (`None`: any).
    pub tenant: Option<TenantId>,
    pub reason: EndReason,
    /// Of the event that records the move to `releasing` (`reason` is added unless it is
    /// there: a failure's says what the agent saw).
    pub detail: serde_json::Value,
    pub actor: String,
}

impl Ask {
    /// The lifecycle jobs' ask: any tenant, by `system`, no detail.
    pub fn system(id: LeaseId, reason: EndReason) -> Self {
        Self {
            id,
            tenant: None,
            reason,
            detail: serde_json::json!({}),
            actor: "system".into(),
        }
    }
}

/// What became of one [`Ask`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Started {
    /// It is `releasing` now (or ended already, if nothing was left to tear down).
    Releasing,
    /// It was in `from`, which cannot be released (the caller decides what that means).
    Refused(LeaseState),
    /// No such lease (of that tenant).
    Missing,
}

/// Moves the leases to `releasing` (guarded, with each one's reason and event: `released`,
/// `revoked`, `expired`, `reclaimed_idle`, `failed`) and tears their slices down. The leases
/// are locked in id order.
pub async fn release(tx: &mut Tx<'_>, asks: &[Ask]) -> Result<(Vec<Started>, Released), Error> {
    let store_asks: Vec<_> = asks
        .iter()
        .map(|a| {
            let mut detail = a.detail.clone();
            if detail.get("reason").is_none() {
                detail["reason"] = a.reason.as_str().into();
            }
            store::leases::ReleaseAsk {
                id: a.id,
                tenant: a.tenant,
                reason: a.reason,
                detail,
                actor: &a.actor,
            }
        })
        .collect();
    let mut starts = store::leases::begin_release(tx, &store_asks).await?;
    let mut outcomes = Vec::with_capacity(asks.len());
    let mut down = Vec::new();
    let mut hosts = Vec::new();
    for a in asks {
        outcomes.push(match starts.remove(&a.id) {
            None => Started::Missing,
            Some(s) if s.releasing => {
                hosts.extend(s.hosts);
                down.push(TearDown {
                    id: a.id,
                    reason: s.reason.unwrap_or(a.reason),
                    how: if s.agent_hosts {
                        How::AgentDestroys
                    } else {
                        How::EndNow
                    },
                });
                Started::Releasing
            }
            Some(s) => Started::Refused(s.from),
        });
    }
    let released = tear_down(tx, &down, &hosts).await?;
    Ok((outcomes, released))
}

/// [`release`] of one lease the caller has locked and found in `from`: an illegal transition
/// is an error.
pub async fn release_one(tx: &mut Tx<'_>, ask: Ask, from: LeaseState) -> Result<Released, Error> {
    let id = ask.id;
    let (outcome, released) = release(tx, std::slice::from_ref(&ask)).await?;
    match outcome.first() {
        Some(Started::Releasing) => Ok(released),
        Some(Started::Refused(from)) => Err(illegal(id, *from)),
        _ => Err(illegal(id, from)),
    }
}

fn illegal(lease: LeaseId, from: LeaseState) -> Error {
    Error::IllegalTransition {
        lease,
        from,
        to: LeaseState::Releasing,
    }
}

/// Ends a live lease on a host lost for good (`host_lost`, or the reason it was being released
/// for), keeping its slices taken until the agent comes back and destroys them. The caller
/// holds the lease's row lock and read `from` under it. `None` if it had already ended.
pub async fn end_on_lost_host(
    tx: &mut Tx<'_>,
    id: LeaseId,
    from: LeaseState,
) -> Result<Option<EndReason>, Error> {
    // Only the transaction whose guarded update ended the lease writes its event.
    let Some(reason) = store::leases::end_on_lost_host(tx, id).await? else {
        return Ok(None);
    };
    let (kind, detail) = if reason == EndReason::HostLost {
        (
            LeaseEventKind::HostLost,
            serde_json::json!({ "reason": reason }),
        )
    } else {
        (
            LeaseEventKind::Ended,
            serde_json::json!({
                "reason": reason,
                "note": "the host was lost before its agent confirmed the teardown; the slices \
                         stay taken until the agent destroys them",
            }),
        )
    };
    store::leases::insert_event(
        &mut **tx,
        id,
        kind,
        Some(from),
        Some(LeaseState::Ended),
        detail,
        "system",
    )
    .await?;
    let hosts = store::slices::hosts_of_live(tx, &[id]).await?;
    tear_down(
        tx,
        &[TearDown {
            id,
            reason,
            how: How::KeepTaken,
        }],
        &hosts,
    )
    .await?;
    Ok(Some(reason))
}

/// How a lease's slices go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum How {
    /// The agent destroys them; its report ends the lease (`releasing` until then).
    AgentDestroys,
    /// No agent on the host: nothing to destroy, the lease ends and the slices free now.
    EndNow,
    /// The lease has ended but its host is gone: the slices stay taken, stamped for teardown,
    /// until the agent returns and destroys them.
    KeepTaken,
}

#[derive(Debug)]
struct TearDown {
    id: LeaseId,
    reason: EndReason,
    how: How,
}

/// Tears down the slices of leases that are no longer wanted (on `hosts`), in one pass: those
/// with nothing to destroy end now, their slices released and `ended` events written in one
/// statement; then the generation of every host touched is bumped once, in one statement and
/// id order, as late as it can be (the host rows stay locked until commit); then the slices an
/// agent will destroy are stamped with their host's new generation (the generation its report
/// must have applied before their absence counts).
async fn tear_down(
    tx: &mut Tx<'_>,
    leases: &[TearDown],
    hosts: &[HostId],
) -> Result<Released, Error> {
    if leases.is_empty() {
        return Ok(Released::default());
    }
    let end_now: Vec<store::leases::EndAsk> = leases
        .iter()
        .filter(|l| l.how == How::EndNow)
        .map(|l| store::leases::EndAsk {
            id: l.id,
            reason: l.reason,
            detail: serde_json::json!({
                "reason": l.reason,
                "note": "no agent on the host: nothing to tear down",
            }),
        })
        .collect();
    let mut released = Released::default();
    for (lease, slices) in store::leases::end_released(tx, &end_now).await? {
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
    store::fleet::bump_generations(tx, hosts).await?;
    let stamped: Vec<LeaseId> = leases
        .iter()
        .filter(|l| l.how != How::EndNow)
        .map(|l| l.id)
        .collect();
    if !stamped.is_empty() {
        store::slices::stamp_teardown(tx, &stamped).await?;
    }
    Ok(released)
}
