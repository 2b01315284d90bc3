//! Host liveness: a host whose agent has not been heard from (poll or report) for
//! `host_unreachable_after_ms` is marked unreachable and its GPUs are not placed on. Its leases
//! are kept until `host_lost_after_ms`, then ended: `host_lost`, or, for a lease that was being
//! released, the reason it was being released for (what its owner did). Their slices stay
//! marked taken (nothing is double-allocated) until the agent comes back, destroys them and
//! reports. A returning agent makes the host reachable again.

use super::each;
use crate::app::{App, Error};
use crate::domain::lease::LeaseState;
use crate::store::{self, lifecycle};
use uuid::Uuid;

pub async fn run(app: &App) -> Result<(), Error> {
    let config = app.config();
    let unreachable =
        lifecycle::mark_unreachable(app.db(), config.host_unreachable_after_ms as i64).await?;
    for (id, name) in &unreachable {
        tracing::warn!(host = %name, %id, "host unreachable: its agent stopped reporting");
    }
    if !unreachable.is_empty() {
        app.refresh_fleet().await?;
    }
    let lost_after = config.host_lost_after_ms as i64;
    let leases = lifecycle::leases_on_lost_hosts(app.db(), lost_after, super::BATCH).await?;
    each("hosts", leases, |id| end_on_lost_host(app, id, lost_after)).await;
    Ok(())
}

async fn end_on_lost_host(app: &App, id: Uuid, lost_after: i64) -> Result<(), Error> {
    let mut tx = app.db().begin().await?;
    let Some(state) = lifecycle::try_lock(&mut tx, id).await? else {
        return Ok(());
    };
    let from: LeaseState = state.parse().map_err(Error::Internal)?;
    if !from.is_live() || !lifecycle::is_on_lost_host(&mut tx, id, lost_after).await? {
        return Ok(());
    }
    // Only the transaction whose guarded update ended the lease writes its event.
    let Some(reason) = lifecycle::end_keeping_slices(&mut tx, id).await? else {
        return Ok(());
    };
    // Not wanted any more, so a returning agent destroys them; taken until it does.
    store::agents::begin_teardown(&mut tx, &[id]).await?;
    let (kind, detail) = if reason == "host_lost" {
        ("host_lost", serde_json::json!({ "reason": reason }))
    } else {
        (
            "ended",
            serde_json::json!({
                "reason": reason,
                "note": "the host was lost before its agent confirmed the teardown; the slices \
                         stay taken until the agent destroys them",
            }),
        )
    };
    store::leases::insert_event(
        &mut *tx,
        id,
        kind,
        Some(from),
        Some(LeaseState::Ended),
        detail,
        "system",
    )
    .await?;
    tx.commit().await?;
    tracing::warn!(lease = %id, %reason, "lease ended: its host is lost");
    Ok(())
}
