//! Expiry: an `expiring` event a configurable time before a lease's end, then at the end
//! `releasing` (reason `expired`), ended once the agent has torn the slices down.

use crate::app::{App, Error, release};
use crate::domain::lease::{EndReason, LeaseState};
use crate::store::{self, lifecycle};

pub async fn run(app: &App) -> Result<(), Error> {
    let warn = app.config().expiry_warning_secs as i64;
    for (id, ends_at) in lifecycle::expiring(app.db(), warn, super::BATCH).await? {
        let mut tx = app.db().begin().await?;
        if lifecycle::try_lock(&mut tx, id).await?.as_deref() != Some("active") {
            continue;
        }
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
    }
    for id in lifecycle::expired(app.db(), super::BATCH).await? {
        let mut tx = app.db().begin().await?;
        let Some(state) = lifecycle::try_lock(&mut tx, id).await? else {
            continue;
        };
        if !lifecycle::is_expired(&mut tx, id).await? {
            continue;
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
    }
    Ok(())
}
