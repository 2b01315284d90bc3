//! Leases. Creating one (`create`: validation, the idempotency claim, then the one write path
//! in `write`, alone or in a group-commit batch), granting a queued one (`grant`), taking one
//! back (`end`, through `app::release`), and here: list, show, extend and events.

use super::auth::Principal;
use super::{App, Error};
use crate::store;
use chrono::Utc;
use slicebroker_types::api::{
    Lease, LeaseEvent, LeaseEventKind, LeaseGpuHealth, LeaseHealth, LeasePage, LeaseState,
};
use slicebroker_types::duration::format_seconds;
use slicebroker_types::{GpuId, LeaseId, TenantId};
use std::collections::BTreeMap;

mod batch;
mod create;
mod end;
mod grant;
mod write;

pub(crate) use batch::Writers;
pub use create::{Created, lease_create};
pub use end::lease_end;
pub use grant::{PendingGrant, grant_pending};
pub use slicebroker_types::api::{DurationInput, LeaseCreate, LeaseExtend};
pub(crate) use write::placements;

/// A [`DurationInput`] as whole seconds within the documented bounds, or an `invalid_input`
/// naming `field`.
pub(crate) trait DurationSeconds {
    fn seconds_of(&self, field: &str) -> Result<i64, Error>;
}

impl DurationSeconds for DurationInput {
    fn seconds_of(&self, field: &str) -> Result<i64, Error> {
        self.seconds().map_err(|r| Error::invalid(field, r))
    }
}

pub async fn lease_show(app: &App, who: &Principal, id: LeaseId) -> Result<Lease, Error> {
    let mut conn = app.db().acquire().await?;
    let mut lease = store::leases::get(&mut conn, id, who.scope())
        .await?
        .ok_or_else(|| Error::not_found("lease", id))?;
    lease.usage = store::usage::lease_usage(&mut *conn, id)
        .await?
        .map(Box::new);
    let mut gpus: Vec<(GpuId, String)> = lease
        .slices
        .iter()
        .map(|s| (s.gpu_id, s.gpu_uuid.clone()))
        .collect();
    gpus.sort();
    gpus.dedup();
    let ids: Vec<GpuId> = gpus.iter().map(|(g, _)| *g).collect();
    let health =
        store::health::of_gpus(&mut conn, &ids, Some(id), super::fleet::shown(who)).await?;
    lease.health = Some(Box::new(LeaseHealth {
        gpus: health
            .into_iter()
            .filter_map(|(gpu_id, health)| {
                let (_, gpu_uuid) = gpus.iter().find(|(g, _)| *g == gpu_id)?;
                Some(LeaseGpuHealth {
                    gpu_id,
                    gpu_uuid: gpu_uuid.clone(),
                    health,
                })
            })
            .collect(),
    }));
    Ok(lease)
}

/// Which leases to list, as a caller asks (`GET /v1/leases`).
#[derive(Debug, Default)]
pub struct ListQuery {
    pub state: Option<LeaseState>,
    /// `key=value`.
    pub label: Option<String>,
    /// Admins: only this tenant's.
    pub tenant: Option<TenantId>,
    /// The previous page's `next_cursor`.
    pub cursor: Option<LeaseId>,
    /// 1-500, default 100.
    pub limit: Option<i64>,
}

/// A page of the caller's tenant's leases (admins: every tenant's, or one's), oldest first.
pub async fn lease_list(app: &App, who: &Principal, q: ListQuery) -> Result<LeasePage, Error> {
    let limit = super::page_size(q.limit)?;
    if let (Some(own), Some(asked)) = (who.scope(), q.tenant)
        && own != asked
    {
        // Another tenant's leases are not found, as its other objects are.
        return Err(Error::not_found("tenant", asked));
    }
    if let (None, Some(asked)) = (who.scope(), q.tenant) {
        super::tenants::must_exist(app.db(), asked).await?;
    }
    let mut labels = BTreeMap::new();
    if let Some(l) = &q.label {
        let (k, v) = l
            .split_once('=')
            .ok_or_else(|| Error::invalid("label", "must be `key=value`"))?;
        labels.insert(k.to_owned(), v.to_owned());
        crate::domain::validate::labels(&labels).map_err(|e| Error::invalid("label", e.reason))?;
    }
    let filter = store::leases::ListFilter {
        tenant: who.scope().or(q.tenant),
        state: q.state,
        labels,
        after: q.cursor,
        limit: limit + 1,
    };
    let mut conn = app.db().acquire().await?;
    let mut items = store::leases::list(&mut conn, &filter).await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|l| l.id)
    } else {
        None
    };
    Ok(LeasePage { items, next_cursor })
}

pub async fn lease_events(
    app: &App,
    who: &Principal,
    id: LeaseId,
) -> Result<Vec<LeaseEvent>, Error> {
    lease_show(app, who, id).await?;
    Ok(store::leases::events(app.db(), id).await?)
}

pub async fn lease_extend(
    app: &App,
    who: &Principal,
    id: LeaseId,
    req: LeaseExtend,
) -> Result<Lease, Error> {
    if !who.role.can_write_leases() {
        return Err(Error::Forbidden("viewers cannot extend leases".into()));
    }
    let by = req.by.seconds_of("by")?;
    let mut tx = app.db().begin().await?;
    // The tenant's row lock before the lease's, in the order grants take them, so that
    // budget checks of one tenant see each other.
    let tenant_id = store::leases::tenant_of(&mut *tx, id, who.scope())
        .await?
        .ok_or_else(|| Error::not_found("lease", id))?;
    let tenant = store::tenants::lock(&mut tx, tenant_id)
        .await?
        .ok_or_else(|| Error::not_found("lease", id))?;
    let state = store::leases::lock_state(&mut tx, id, None)
        .await?
        .ok_or_else(|| Error::not_found("lease", id))?;
    if !matches!(state, LeaseState::Provisioning | LeaseState::Active) {
        return Err(Error::Conflict {
            code: "illegal_transition",
            detail: format!(
                "lease {id} is {state}: only a provisioning or active lease can be extended"
            ),
        });
    }
    let current = store::leases::get(&mut tx, id, None)
        .await?
        .ok_or_else(|| Error::not_found("lease", id))?;
    let max = tenant.policy.max_total_extension_seconds;
    // Both terms are bounded (366 days each), but a sum the client drives is checked anyway.
    if current
        .extended_seconds
        .checked_add(by)
        .is_none_or(|total| total > max)
    {
        return Err(Error::policy(
            "by",
            format!(
                "extensions of one lease may add at most {} in total; {} already added",
                format_seconds(max),
                format_seconds(current.extended_seconds)
            ),
        ));
    }
    if let Some(ends_at) = current.ends_at {
        // The added time, held beside what the tenant holds and has booked then: quota at
        // every instant of it, and the budget of each month it reaches. An overdue lease
        // already counts up to now.
        let now = Utc::now();
        let from = ends_at.max(now);
        let to = slicebroker_types::limits::add_seconds(ends_at, by)
            .ok_or_else(|| Error::invalid("by", "ends too far in the future"))?
            .max(now);
        let live = current.slices.iter().filter(|s| s.released_at.is_none());
        let held = live.fold((0, 0), |(c, m), s| {
            (c + i64::from(s.compute_slices), m + i64::from(s.memory_gib))
        });
        let room = write::room(&mut tx, &tenant, now, to).await?;
        room.admit_extension(&tenant.policy, id, held, (from, to))?;
    }
    // A booking of the same memory slices later on bounds the lease's end. Checked under the
    // lease's row lock; a booking committed meanwhile is caught by the exclusion constraint.
    let until = store::leases::extendable_until(&mut tx, id).await?;
    if let (Some(until), Some(ends_at)) = (until, current.ends_at) {
        let wanted = slicebroker_types::limits::add_seconds(ends_at, by);
        if wanted.is_none_or(|end| end > until) {
            return Err(booked_after(id, Some(until)));
        }
    }
    let ends_at = match store::leases::extend(&mut tx, id, by, max).await {
        Ok(end) => end,
        Err(e) if store::violation(&e) == Some(store::Violation::SlicesOverlap) => {
            return Err(booked_after(id, None));
        }
        Err(e) => return Err(e.into()),
    }
    .ok_or_else(|| Error::internal(format!("lease {id} changed under its row lock")))?;
    store::leases::insert_event(
        &mut *tx,
        id,
        LeaseEventKind::Extended,
        None,
        None,
        serde_json::json!({ "by_seconds": by, "ends_at": ends_at }),
        &who.actor(),
    )
    .await?;
    let lease = store::leases::get(&mut tx, id, None)
        .await?
        .ok_or_else(|| Error::not_found("lease", id))?;
    let gpus: Vec<_> = lease.slices.iter().map(|s| s.gpu_id).collect();
    store::notify::windows_moved(&mut *tx, &gpus).await?;
    tx.commit().await?;
    let slice_ids: Vec<_> = lease.slices.iter().map(|s| s.id).collect();
    app.index()
        .set_end(&slice_ids, crate::app::placement::end_secs(ends_at));
    Ok(lease)
}

/// The 409 of an extension that would run into a booking of the lease's slices: until when the
/// lease can be extended (`None` when a booking just made took the time), and nothing about
/// whose booking it is.
fn booked_after(id: LeaseId, until: Option<chrono::DateTime<Utc>>) -> Error {
    let detail = match until {
        Some(until) => format!(
            "lease {id}: its slices are booked from {}; it can be extended until then at most",
            until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        None => format!(
            "lease {id}: its slices were just booked for part of that time; ask again to learn \
             until when it can be extended"
        ),
    };
    Error::Conflict {
        code: "booked_after",
        detail,
    }
}
