//! Bookings coming due: a booked lease goes `provisioning` `booking_lead` before its start (its
//! `starting` event), and its hosts' generations move so that their agents learn of its slices
//! only now, and their slices' windows begin then. The agents make them once their memory
//! slices are free; the lease's paid time (and its idle clock) runs from its start whatever
//! the activation time. A booking whose placement is unusable (a
//! cordon, a lost host) does not start: the rebook job moves it, or fails it at its start.

use crate::app::{App, Error};
use crate::store;

pub async fn run(app: &App) -> Result<(), Error> {
    let lead = app.config().booking_lead().as_secs() as i64;
    let lost_after = app.config().host_lost_after().as_millis() as i64;
    let mut tx = app.db().begin().await?;
    let started = store::leases::start_booked(&mut tx, lead, lost_after, super::BATCH).await?;
    if started.leases.is_empty() {
        return Ok(());
    }
    store::fleet::bump_generations(&mut tx, &started.hosts).await?;
    // Their windows begin now, not at their starts: every replica's index reloads those GPUs
    // when this commits; this one's at once.
    store::notify::windows_moved(&mut *tx, &started.gpus).await?;
    tx.commit().await?;
    for lease in started.leases {
        tracing::info!(%lease, "booking starting");
    }
    for gpu in started.gpus {
        app.index().refresh_gpu(app.db(), gpu).await?;
    }
    Ok(())
}
