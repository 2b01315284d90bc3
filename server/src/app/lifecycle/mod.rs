//! The lifecycle jobs (DESIGN.md §3, §5): expiry, idle reclamation, host liveness and the
//! pending queue. Every replica runs all of them; each is idempotent and takes its leases with
//! `FOR UPDATE SKIP LOCKED`, so replicas share the work instead of repeating it. They run on a
//! timer and when something concerns them: a slice released or a lease ended (NOTIFY
//! `sb_capacity`) wakes the pending queue; the expiry job also wakes at the next lease end.

mod expiry;
mod hosts;
mod idle;
mod pending;

use super::App;
use std::time::Duration;

/// Candidates handled per job per pass; the next pass takes the rest.
const BATCH: i64 = 200;

/// Runs the jobs until the process ends.
pub fn spawn(app: App) {
    tokio::spawn(async move {
        let period = app.config().lifecycle_interval();
        let mut capacity = app.wakeups().subscribe_capacity();
        loop {
            capacity.borrow_and_update();
            let next_end = pass(&app).await;
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

/// One pass of every job; returns when the next lease ends, if any.
async fn pass(app: &App) -> Option<chrono::DateTime<chrono::Utc>> {
    let jobs = [
        ("hosts", hosts::run(app).await),
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
