//! The lifecycle jobs (DESIGN.md §3, §5): expiry, idle reclamation, host liveness, bookings
//! moved off unusable GPUs, bookings coming due and the pending queue. Every replica runs all of them; each is idempotent and takes its leases with
//! `FOR UPDATE SKIP LOCKED`, so replicas share the work instead of repeating it. They run on a
//! timer and when something concerns them: a slice released or a lease ended (NOTIFY
//! `sb_capacity`) wakes the pending queue; the expiry job also wakes at the next lease end.
//! Every `FOLD_EVERY` it also folds the lease transition counts `/metrics` exports
//! (`store::metrics::fold_transitions`).

mod bookings;
mod expiry;
mod hosts;
mod idle;
mod pending;
mod rebook;

pub use rebook::run as rebook_bookings;

use super::{App, Error};
use slicebroker_types::LeaseId;
use std::future::Future;
use std::time::Duration;

/// How often the transition deltas are folded: often enough that they stay a few thousand
/// rows at 1,000 grants/s, seldom enough to cost nothing beside passes that may run every
/// few milliseconds.
const FOLD_EVERY: Duration = Duration::from_secs(10);

/// Candidates handled per job per pass; the next pass takes the rest.
const BATCH: i64 = 200;

/// Handles each candidate lease of a job in turn, each in its own transaction: a lease that
/// fails (a bad row, a conflict) is logged and left for the next pass, and never keeps the job
/// from the others.
async fn each<F, Fut>(job: &'static str, leases: impl IntoIterator<Item = LeaseId>, handle: F)
where
    F: Fn(LeaseId) -> Fut,
    Fut: Future<Output = Result<(), Error>>,
{
    for lease in leases {
        if let Err(e) = handle(lease).await {
            tracing::warn!(job, %lease, error = %e.chain(), "lifecycle job failed for one lease; it is retried next pass");
        }
    }
}

/// Runs the jobs until the process ends. A pass that panics (a bug) is logged and the next
/// pass runs as usual.
pub fn spawn(app: App) {
    tokio::spawn(async move {
        let period = app.config().lifecycle_interval();
        let mut capacity = app.wakeups().subscribe_capacity();
        let mut folded = tokio::time::Instant::now();
        loop {
            if folded.elapsed() >= FOLD_EVERY {
                folded = tokio::time::Instant::now();
                if let Err(e) = fold_transitions(&app).await {
                    tracing::warn!(error = %e, "folding lease transition counts failed; retrying later");
                }
            }
            capacity.borrow_and_update();
            let next_end = match tokio::spawn(pass(app.clone())).await {
                Ok(next_end) => next_end,
                Err(e) => {
                    tracing::error!(error = %e, "a lifecycle pass panicked; the next pass runs as usual");
                    None
                }
            };
            let until_end = next_end
                .map(|t| (t - chrono::Utc::now()).to_std().unwrap_or_default())
                .unwrap_or(period);
            tokio::select! {
                () = tokio::time::sleep(period.min(until_end).max(Duration::from_millis(20))) => {}
                _ = capacity.changed() => {}
            }
        }
    });
}

/// Folds the transition counts the trigger on `lease_events` appended; one replica at a time.
async fn fold_transitions(app: &App) -> Result<(), Error> {
    let mut tx = app.db().begin().await?;
    crate::store::metrics::fold_transitions(&mut tx).await?;
    tx.commit().await?;
    Ok(())
}

/// One pass of every job, now: for tests and tools that run a server without the timer
/// (`lifecycle_jobs` off).
pub async fn run_once(app: &App) {
    pass(app.clone()).await;
}

/// One pass of every job; returns when the next lease ends, if any.
async fn pass(app: App) -> Option<chrono::DateTime<chrono::Utc>> {
    let app = &app;
    let jobs = [
        ("hosts", hosts::run(app).await),
        ("rebook", rebook::run(app).await),
        ("bookings", bookings::run(app).await),
        ("expiry", expiry::run(app).await),
        ("idle", idle::run(app).await),
        ("pending", pending::run(app).await),
    ];
    for (job, result) in jobs {
        if let Err(e) = result {
            tracing::warn!(job, error = %e, "lifecycle job failed; retrying next pass");
        }
    }
    crate::store::lifecycle::next_end(app.db())
        .await
        .ok()
        .flatten()
}
