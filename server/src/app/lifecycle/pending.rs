//! The pending queue: `wait=true` leases that nothing fitted, served in order (priority, then
//! age) as soon as capacity, quota and budget allow. Woken by releases and ended leases on any
//! replica (NOTIFY `sb_capacity`), not only by the timer. A lease that does not fit yet keeps
//! its place; smaller ones behind it that fit are served meanwhile.

use crate::app::leases::{PendingGrant, grant_pending};
use crate::app::{App, Error};
use crate::store;

pub async fn run(app: &App) -> Result<(), Error> {
    let queue = store::leases::pending_queue(app.db(), super::BATCH).await?;
    super::each("pending", queue, |id| async move {
        match grant_pending(app, id).await? {
            PendingGrant::Granted => tracing::info!(lease = %id, "pending lease granted"),
            PendingGrant::Waiting(why) => tracing::debug!(lease = %id, why, "still pending"),
            PendingGrant::Gone => {}
        }
        Ok(())
    })
    .await;
    Ok(())
}
