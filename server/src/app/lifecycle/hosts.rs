//! Host liveness: a host whose agent has not been heard from (poll or report) for
//! `host_unreachable_after` is marked unreachable and its GPUs are not placed on. Its leases
//! are kept until `host_lost_after`, then ended: `host_lost`, or, for a lease that was being
//! released, the reason it was being released for (what its owner did). Their slices stay
//! marked taken (nothing is double-allocated) until the agent comes back, destroys them and
//! reports. A returning agent makes the host reachable again.

use super::each;
use crate::app::{App, Error, release};
use crate::store::{self, lifecycle};
use slicebroker_types::LeaseId;

pub async fn run(app: &App) -> Result<(), Error> {
    let config = app.config();
    let unreachable =
        lifecycle::mark_unreachable(app.db(), config.host_unreachable_after().as_millis() as i64)
            .await?;
    for (id, name) in &unreachable {
        tracing::warn!(host = %name, %id, "host unreachable: its agent stopped reporting");
    }
    if !unreachable.is_empty() {
        app.refresh_fleet().await?;
    }
    let lost_after = config.host_lost_after().as_millis() as i64;
    let leases = lifecycle::leases_on_lost_hosts(app.db(), lost_after, super::BATCH).await?;
    each("hosts", leases, |id| end_on_lost_host(app, id, lost_after)).await;
    Ok(())
}

async fn end_on_lost_host(app: &App, id: LeaseId, lost_after: i64) -> Result<(), Error> {
    let mut tx = app.db().begin().await?;
    let Some(from) = store::leases::try_lock(&mut tx, id).await? else {
        return Ok(());
    };
    if !from.is_live() || !lifecycle::is_on_lost_host(&mut tx, id, lost_after).await? {
        return Ok(());
    }
    let Some(reason) = release::end_on_lost_host(&mut tx, id, from).await? else {
        return Ok(());
    };
    tx.commit().await?;
    tracing::warn!(lease = %id, %reason, "lease ended: its host is lost");
    Ok(())
}
