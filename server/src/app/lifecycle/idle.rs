//! Idle reclamation (DESIGN.md §5): a lease whose slices ran no compute process and, where the
//! GPU measures it, showed no activity for its `idle_timeout` is reclaimed (`reclaimed_idle`),
//! after an `idle_warning` at a configurable share of the timeout (claimed once per idle
//! period, whichever replica runs the job). Activity in between moves the idle period's start,
//! so the clock starts again. A lease never used is idle from activation. Leases on hosts that
//! stopped reporting are left to the host-liveness job.

use super::each;
use crate::app::{App, Error, release};
use crate::store::{self, lifecycle};
use slicebroker_types::LeaseId;
use slicebroker_types::api::{EndReason, LeaseEventKind, LeaseState};

pub async fn run(app: &App) -> Result<(), Error> {
    let warn_percent = i64::from(app.config().idle_warning_percent.get());
    let idle = lifecycle::idle(app.db(), None, warn_percent, super::BATCH).await?;
    each("idle", idle.into_iter().map(|i| i.id), |id| {
        reclaim_or_warn(app, id, warn_percent)
    })
    .await;
    Ok(())
}

async fn reclaim_or_warn(app: &App, id: LeaseId, warn_percent: i64) -> Result<(), Error> {
    let mut tx = app.db().begin().await?;
    if store::leases::try_lock(&mut tx, id).await? != Some(LeaseState::Active) {
        return Ok(());
    }
    // Re-read under the lock: a report may have shown activity meanwhile.
    let Some(now) = lifecycle::idle(&mut *tx, Some(id), warn_percent, 1)
        .await?
        .pop()
    else {
        return Ok(());
    };
    let detail = serde_json::json!({
        "idle_since": now.idle_since,
        "idle_seconds": now.idle_seconds,
        "idle_timeout_seconds": now.idle_timeout_seconds,
    });
    let mut released = release::Released::default();
    if now.idle_seconds >= now.idle_timeout_seconds {
        let ask = release::Ask {
            detail,
            ..release::Ask::system(id, EndReason::ReclaimedIdle)
        };
        released = release::release_one(&mut tx, ask, LeaseState::Active).await?;
        tracing::info!(lease = %id, idle_seconds = now.idle_seconds, "idle lease reclaimed");
    } else if !now.warned && store::leases::claim_idle_warning(&mut tx, id, now.idle_since).await? {
        store::leases::insert_event(
            &mut *tx,
            id,
            LeaseEventKind::IdleWarning,
            None,
            None,
            detail,
            "system",
        )
        .await?;
    }
    tx.commit().await?;
    app.index().forget(released.slices);
    Ok(())
}
