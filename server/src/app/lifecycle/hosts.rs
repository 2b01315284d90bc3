//! Host liveness: a host whose agent has not been heard from (poll or report) for
//! `host_unreachable_after_ms` is marked unreachable and its GPUs are not placed on. Its leases
//! are kept until `host_lost_after_ms`, then ended `host_lost`; their slices stay marked taken
//! (nothing is double-allocated) until the agent comes back, destroys them and reports. A
//! returning agent makes the host reachable again.

use crate::app::{App, Error};
use crate::domain::lease::LeaseState;
use crate::store::{self, lifecycle};

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
    for id in lifecycle::leases_on_lost_hosts(app.db(), lost_after, super::BATCH).await? {
        let mut tx = app.db().begin().await?;
        let Some(state) = lifecycle::try_lock(&mut tx, id).await? else {
            continue;
        };
        if !lifecycle::is_on_lost_host(&mut tx, id, lost_after).await? {
            continue;
        }
        let from: LeaseState = state.parse().map_err(Error::Internal)?;
        // Not wanted any more, so a returning agent destroys them; taken until it does.
        store::agents::begin_teardown(&mut tx, &[id]).await?;
        lifecycle::end_keeping_slices(&mut tx, id, "host_lost").await?;
        store::leases::insert_event(
            &mut *tx,
            id,
            "host_lost",
            Some(from),
            Some(LeaseState::Ended),
            serde_json::json!({ "reason": "host_lost" }),
            "system",
        )
        .await?;
        tx.commit().await?;
        tracing::warn!(lease = %id, "lease ended: its host is lost");
    }
    Ok(())
}
