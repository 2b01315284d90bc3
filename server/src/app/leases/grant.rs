//! Granting a queued lease when capacity frees: the same policy, quota, budget and placement
//! as at creation, under the tenant's row lock. Its paid time starts at activation.

use super::write::{placements, room};
use crate::app::placement::{Reserved, end_secs, start_secs};
use crate::app::{App, Error};
use crate::domain::admission::{self, Refusal};
use crate::domain::classes;
use crate::store;
use chrono::{SubsecRound, Utc};
use slicebroker_types::api::{EndReason, LeaseEventKind, LeaseSlice, LeaseState};
use slicebroker_types::{GpuModel, LeaseId, ModelId, ProfileRequest, limits};

/// What became of a pending lease the queue offered a place.
#[derive(Debug, PartialEq, Eq)]
pub enum PendingGrant {
    Granted,
    /// Nothing fits, or the tenant's quota or budget is full: it keeps its place.
    Waiting(&'static str),
    /// No longer pending, or another replica is granting it.
    Gone,
}

pub async fn grant_pending(app: &App, id: LeaseId) -> Result<PendingGrant, Error> {
    let mut tx = app.db().begin().await?;
    store::fleet::hold_placement(&mut tx, store::fleet::Placing::Beside).await?;
    let Some(p) = store::leases::lock_pending(&mut tx, id).await? else {
        return Ok(PendingGrant::Gone);
    };
    let Some(tenant) = store::tenants::lock(&mut tx, p.tenant_id).await? else {
        return Ok(PendingGrant::Gone);
    };
    let request = ProfileRequest::parse(&p.request)
        .map_err(|e| Error::internal(format!("pending lease {id}: {e}")))?;
    let requested: Vec<ModelId> = p
        .gpu_models
        .iter()
        .filter_map(|m| GpuModel::find(m))
        .collect();
    let shapes = match admission::allowed_models(&requested, &tenant.policy.allowed_gpu_models)
        .map_err(Error::from)
        .and_then(|models| {
            request
                .resolve(&models)
                .map_err(|e| Error::invalid("profile", e.to_string()))
        })
        .and_then(|shapes| {
            classes::within_size_limit(&tenant.policy, p.class.is_some(), shapes)
                .map_err(Error::from)
        }) {
        Ok(shapes) => shapes,
        // The tenant's policy changed while it waited: it can never be granted.
        Err(e) => {
            if store::leases::cancel_pending(&mut tx, id, EndReason::Cancelled).await? {
                store::leases::insert_event(
                    &mut *tx,
                    id,
                    LeaseEventKind::Cancelled,
                    Some(LeaseState::Pending),
                    Some(LeaseState::Ended),
                    serde_json::json!({ "reason": e.to_string() }),
                    "system",
                )
                .await?;
            }
            tx.commit().await?;
            return Ok(PendingGrant::Gone);
        }
    };
    let now = Utc::now().trunc_subsecs(6);
    let ends_at = limits::add_seconds(now, p.duration_seconds)
        .ok_or_else(|| Error::internal(format!("pending lease {id}: duration out of range")))?;
    let mut room = room(&mut tx, &tenant, now, ends_at).await?;
    // The pending lease is already one of the tenant's live leases: it is counted anew.
    room.forget(id);
    let count = p.slice_count as usize;
    match room.admit(&tenant.policy, &shapes, count, now, ends_at) {
        Ok(_) => {}
        Err(r @ (Refusal::Quota(_) | Refusal::Budget { .. })) => {
            return Ok(PendingGrant::Waiting(Error::from(r).code()));
        }
        Err(r) => return Err(r.into()),
    }
    let Ok(reserved) = app
        .index()
        .reserve(shapes, count, start_secs(now), end_secs(ends_at))
    else {
        return Ok(PendingGrant::Waiting("no_capacity"));
    };
    let slices: Vec<LeaseSlice> = reserved.iter().map(Reserved::view).collect();
    let written = async {
        if !store::leases::grant_pending(&mut tx, id, now, ends_at, &slices, placements(&reserved))
            .await?
        {
            return Ok(false);
        }
        let hosts: Vec<_> = reserved.iter().map(|r| r.host_id).collect();
        store::fleet::bump_generations(&mut tx, &hosts).await?;
        Ok::<_, sqlx::Error>(true)
    }
    .await;
    let committed = match written {
        Ok(true) => tx.commit().await.map(|()| true),
        other => other,
    };
    let slice_ids: Vec<_> = reserved.iter().map(|r| r.slice_id).collect();
    match committed {
        Ok(true) => {
            app.index().confirm(&slice_ids);
            app.metrics().granted();
            Ok(PendingGrant::Granted)
        }
        Ok(false) => {
            app.index().forget(slice_ids);
            Ok(PendingGrant::Gone)
        }
        Err(e) => {
            app.index().forget(slice_ids);
            if store::lost_placement_race(&e) {
                for gpu in reserved.iter().map(|r| r.gpu_id) {
                    app.index().refresh_gpu(app.db(), gpu).await?;
                }
                return Ok(PendingGrant::Waiting("conflict"));
            }
            Err(e.into())
        }
    }
}
