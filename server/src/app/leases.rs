//! Leases: create (quota under the tenant's row lock, placement by the planner, retried on an
//! overlap conflict; `create`), release and revoke (`end`), both by group commit (`batch`),
//! and list, show, extend and events (here).

use super::auth::Principal;
use super::{App, Error};
use crate::domain::lease::LeaseState;
use crate::domain::lease_view::{Lease, LeaseEvent};
use crate::domain::{budget, duration};
use crate::store;
use chrono::Utc;
use uuid::Uuid;

mod batch;
mod create;
mod end;

pub(crate) use batch::Writers;
pub use create::{PendingGrant, grant_pending, lease_create};
pub use end::lease_end;
pub use slicebroker_types::api::{DurationInput, LeaseCreate, LeaseExtend};

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

pub async fn lease_show(app: &App, who: &Principal, id: Uuid) -> Result<Lease, Error> {
    let mut conn = app.db().acquire().await?;
    store::leases::get(&mut conn, id, who.scope())
        .await?
        .ok_or_else(|| Error::not_found("lease", id))
}

pub async fn lease_list(
    app: &App,
    who: &Principal,
    filter: store::leases::ListFilter,
) -> Result<Vec<Lease>, Error> {
    let filter = store::leases::ListFilter {
        tenant: who.scope().or(filter.tenant),
        ..filter
    };
    let mut conn = app.db().acquire().await?;
    Ok(store::leases::list(&mut conn, &filter).await?)
}

pub async fn lease_events(app: &App, who: &Principal, id: Uuid) -> Result<Vec<LeaseEvent>, Error> {
    lease_show(app, who, id).await?;
    Ok(store::leases::events(app.db(), id).await?)
}

pub async fn lease_extend(
    app: &App,
    who: &Principal,
    id: Uuid,
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
        return Err(Error::IllegalTransition {
            lease: id,
            from: state,
            to: state,
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
                duration::format_seconds(max),
                duration::format_seconds(current.extended_seconds)
            ),
        ));
    }
    if let (Some(hours), Some(ends_at)) =
        (tenant.policy.monthly_budget_slice_hours, current.ends_at)
    {
        let now = Utc::now();
        let month = budget::Month::containing(now);
        let compute: i64 = current
            .slices
            .iter()
            .filter(|s| s.released_at.is_none())
            .map(|s| i64::from(s.compute_slices))
            .sum();
        let wanted = budget::extension_cost(month, compute, ends_at, by, now);
        check_budget(&mut tx, tenant_id, month, hours, wanted, "by").await?;
    }
    let ends_at = store::leases::extend(&mut tx, id, by, max)
        .await?
        .ok_or_else(|| Error::Internal(format!("lease {id} changed under its row lock")))?;
    store::leases::insert_event(
        &mut *tx,
        id,
        "extended",
        None,
        None,
        serde_json::json!({ "by_seconds": by, "ends_at": ends_at }),
        &who.actor(),
    )
    .await?;
    let lease = store::leases::get(&mut tx, id, None).await?;
    tx.commit().await?;
    let lease = lease.ok_or_else(|| Error::not_found("lease", id))?;
    let slice_ids: Vec<Uuid> = lease.slices.iter().map(|s| s.id).collect();
    app.index().set_end(&slice_ids, ends_at.timestamp());
    Ok(lease)
}

/// Refuses `wanted` more compute-slice-seconds this month if the tenant's budget of `hours`
/// cannot cover them. The caller holds the tenant's row lock.
async fn check_budget(
    tx: &mut store::Tx<'_>,
    tenant_id: Uuid,
    month: budget::Month,
    hours: i64,
    wanted: i64,
    field: &'static str,
) -> Result<(), Error> {
    let used =
        store::usage::committed_compute_seconds(&mut **tx, tenant_id, month.start, month.end)
            .await?;
    budget_check(hours, used, wanted, field)
}

fn budget_check(hours: i64, used: i64, wanted: i64, field: &'static str) -> Result<(), Error> {
    budget::check(hours, used, wanted).map_err(|e| Error::BudgetExceeded {
        field,
        detail: e.to_string(),
    })
}
