//! Expiry: an `expiring` event a configurable time before a lease's end (claimed once per lease
//! and end, whichever replica runs the job), then at the end `releasing` (reason `expired`),
//! ended once the agent has torn the slices down.

use super::each;
use crate::app::{App, Error, release};
use crate::store::{self, lifecycle};
use slicebroker_types::LeaseId;
use slicebroker_types::api::{EndReason, LeaseEventKind};

pub async fn run(app: &App) -> Result<(), Error> {
    let warn = app.config().expiry_warning().as_secs() as i64;
    let due = lifecycle::expiring(app.db(), warn, super::BATCH).await?;
    each("expiring", due, |id| warn_expiring(app, id, warn)).await;
    let due = lifecycle::expired(app.db(), super::BATCH).await?;
    each("expiry", due, |id| expire(app, id)).await;
    Ok(())
}

async fn warn_expiring(app: &App, id: LeaseId, within: i64) -> Result<(), Error> {
    let mut tx = app.db().begin().await?;
    // Only the transaction whose claim changed the row writes the event.
    let Some(ends_at) = store::leases::claim_expiry_warning(&mut tx, id, within).await? else {
        return Ok(());
    };
    store::leases::insert_event(
        &mut *tx,
        id,
        LeaseEventKind::Expiring,
        None,
        None,
        serde_json::json!({ "ends_at": ends_at }),
        "system",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn expire(app: &App, id: LeaseId) -> Result<(), Error> {
    let mut tx = app.db().begin().await?;
    let Some(from) = store::leases::try_lock(&mut tx, id).await? else {
        return Ok(());
    };
    if !lifecycle::is_expired(&mut tx, id).await? {
        return Ok(());
    }
    let released =
        release::release_one(&mut tx, release::Ask::system(id, EndReason::Expired), from).await?;
    tx.commit().await?;
    app.index().forget(released.slices);
    tracing::info!(lease = %id, "lease expired");
    Ok(())
}
