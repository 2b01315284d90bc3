//! Expiry: an `expiring` event a configurable time before a lease's end (claimed once per lease
//! and end, whichever replica runs the job), then at the end `releasing` (reason `expired`),
//! ended once the agent has torn the slices down.

use super::each;
use crate::app::{App, Error, release};
use crate::domain::lease::{EndReason, LeaseState};
use crate::store::{self, lifecycle};
use uuid::Uuid;

pub async fn run(app: &App) -> Result<(), Error> {
    let warn = app.config().expiry_warning_secs as i64;
    let due = lifecycle::expiring(app.db(), warn, super::BATCH).await?;
    each("expiring", due, |id| warn_expiring(app, id, warn)).await;
    let due = lifecycle::expired(app.db(), super::BATCH).await?;
    each("expiry", due, |id| expire(app, id)).await;
    Ok(())
}

async fn warn_expiring(app: &App, id: Uuid, within: i64) -> Result<(), Error> {
    let mut tx = app.db().begin().await?;
    // Only the transaction whose claim changed the row writes the event.
    let Some(ends_at) = lifecycle::claim_expiry_warning(&mut tx, id, within).await? else {
        return Ok(());
    };
    store::leases::insert_event(
        &mut *tx,
        id,
        "expiring",
        None,
        None,
        serde_json::json!({ "ends_at": ends_at }),
        "system",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

async fn expire(app: &App, id: Uuid) -> Result<(), Error> {
    let mut tx = app.db().begin().await?;
    let Some(state) = lifecycle::try_lock(&mut tx, id).await? else {
        return Ok(());
    };
    if !lifecycle::is_expired(&mut tx, id).await? {
        return Ok(());
    }
    let from: LeaseState = state.parse().map_err(Error::Internal)?;
    let released = release::begin(
        &mut tx,
        id,
        from,
        EndReason::Expired,
        "expired",
        "system",
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    app.index().forget(released.slices);
    tracing::info!(lease = %id, "lease expired");
    Ok(())
}
