//! Fleet views (GPU layouts, hosts, capacity) and admin cordoning.

use super::auth::Principal;
use super::{App, Error};
use crate::store::{self, audit};
use slicebroker_types::GpuModel;
use slicebroker_types::api::AuditTargetKind;
use slicebroker_types::api::{GpuHealthRecord, Host};
use slicebroker_types::{GpuId, HostId};
use std::collections::HashMap;

pub use slicebroker_types::api::{Capacity, Gpu, GpuSlice};

pub async fn gpu_list(app: &App, who: &Principal) -> Result<Vec<Gpu>, Error> {
    let gpus = store::fleet::gpu_rows(app.db()).await?;
    let slices = store::fleet::live_slice_rows(app.db()).await?;
    let ids: Vec<GpuId> = gpus.iter().map(|g| g.id).collect();
    let mut conn = app.db().acquire().await?;
    let mut health: HashMap<GpuId, GpuHealthRecord> =
        store::health::of_gpus(&mut conn, &ids, None, shown(who))
            .await?
            .into_iter()
            .collect();
    drop(conn);
    Ok(gpus
        .into_iter()
        .map(|g| {
            let width = GpuModel::find(&g.model).map_or(0, |m| GpuModel::get(m).memory_slices);
            let mine: Vec<GpuSlice> = slices
                .iter()
                .filter(|s| s.gpu_id == g.id)
                .map(|s| {
                    let visible =
                        who.is_admin() || (who.tenant.is_some() && who.tenant == s.tenant_id);
                    GpuSlice {
                        profile: s.profile.clone(),
                        start: s.start,
                        size: s.size,
                        lease_id: s.lease_id.filter(|_| visible),
                        tenant_id: s.tenant_id.filter(|_| who.is_admin()),
                        unmanaged: s.lease_id.is_none(),
                        // Written by the server from the agent's typed report; a row that
                        // does not parse shows as unknown rather than failing the whole view.
                        processes: visible
                            .then(|| serde_json::from_value(s.processes.clone()).ok())
                            .flatten(),
                        memory_used_mib: s.memory_used_mib.filter(|_| visible),
                        last_active_at: s.last_active_at.filter(|_| visible),
                    }
                })
                .collect();
            let layout = (0..i32::from(width))
                .map(|i| {
                    if mine
                        .iter()
                        .any(|s| (s.start..s.start + s.size).contains(&i))
                    {
                        '#'
                    } else {
                        '.'
                    }
                })
                .collect();
            Gpu {
                id: g.id,
                host_id: g.host_id,
                host: g.host_name,
                uuid: g.uuid,
                device_index: g.device_index,
                model: g.model,
                memory_slices: width,
                schedulable: g.schedulable && g.host_schedulable,
                placeable: g.placeable,
                host_unreachable_since: g.host_unreachable_since,
                layout,
                slices: mine,
                health: health.remove(&g.id),
            }
        })
        .collect())
}

/// Whose lease ids the XIDs in health views show: as for slices, the caller's tenant's
/// (admins: all).
pub fn shown(who: &Principal) -> store::health::Shown {
    if who.is_admin() {
        store::health::Shown::All
    } else {
        store::health::Shown::Tenant(who.tenant)
    }
}

pub async fn host_list(app: &App) -> Result<Vec<Host>, Error> {
    Ok(store::fleet::hosts(app.db()).await?)
}

pub fn capacity(app: &App) -> Vec<Capacity> {
    app.index()
        .capacity()
        .into_iter()
        .flat_map(|(m, profiles)| {
            let model = GpuModel::get(m);
            profiles.into_iter().map(move |(p, n)| {
                let prof = model.profile(p);
                Capacity {
                    model: model.key.to_owned(),
                    profile: prof.name.to_owned(),
                    compute_slices: prof.compute_slices,
                    memory_gib: prof.nominal_memory_gib(),
                    available: n,
                }
            })
        })
        .collect()
}

/// Which kind of object to cordon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Gpu(GpuId),
    Host(HostId),
}

/// Cordons (`schedulable = false`) or uncordons a GPU or a host. Running leases stay; bookings
/// not yet started move to other places if any are free (`rebooked`), else are marked `at_risk`.
pub async fn set_schedulable(
    app: &App,
    who: &Principal,
    target: Target,
    schedulable: bool,
) -> Result<(), Error> {
    who.require_admin()?;
    let mut tx = app.db().begin().await?;
    let (kind, id, found) = match target {
        Target::Gpu(id) => (
            AuditTargetKind::Gpu,
            id.to_string(),
            store::fleet::set_gpu_schedulable(&mut *tx, id, schedulable).await?,
        ),
        Target::Host(id) => (
            AuditTargetKind::Host,
            id.to_string(),
            store::fleet::set_host_schedulable(&mut *tx, id, schedulable).await?,
        ),
    };
    if !found {
        return Err(Error::not_found(kind.as_str(), id));
    }
    audit::record(
        &mut *tx,
        audit::Entry {
            actor_key_id: who.key_id,
            actor: &who.actor(),
            action: if schedulable { "uncordon" } else { "cordon" },
            target_kind: kind,
            target_id: id,
            before: Some(serde_json::json!({ "schedulable": !schedulable })),
            after: Some(serde_json::json!({ "schedulable": schedulable })),
        },
    )
    .await?;
    tx.commit().await?;
    app.refresh_fleet().await?;
    if schedulable {
        // Capacity came back: bookings waiting for a place try again now, not after their
        // backoff.
        store::leases::rebook_now(app.db()).await?;
    }
    // Bookings pinned to a cordoned place move now (or onto what an uncordon freed); what
    // cannot move is retried with a backoff by the lifecycle job.
    if let Err(e) = super::lifecycle::rebook_bookings(app).await {
        tracing::warn!(error = %e.chain(), "moving bookings failed; the lifecycle job retries");
    }
    Ok(())
}

/// Removes a host (admin) that holds nothing any more: drain it first (cordon, then release or
/// revoke its leases and let its agent destroy their slices). Its agent's credential stops
/// working; enrolling again brings the host back.
pub async fn host_delete(app: &App, who: &Principal, id: HostId) -> Result<(), Error> {
    who.require_admin()?;
    let mut tx = app.db().begin().await?;
    // The host as `GET /v1/hosts` showed it: its audit entry keeps its name once it is gone.
    let before = store::fleet::hosts(&mut *tx)
        .await?
        .into_iter()
        .find(|h| h.id == id);
    match store::fleet::remove_host(&mut tx, id).await? {
        store::fleet::Removal::Missing => return Err(Error::not_found("host", id)),
        store::fleet::Removal::InUse { live_slices } => {
            return Err(Error::Conflict {
                code: "host_in_use",
                detail: format!(
                    "host {id} still holds {live_slices} slice(s): cordon it, release or revoke \
                     its leases, and let its agent destroy their slices before removing it"
                ),
            });
        }
        store::fleet::Removal::Removed => {}
    }
    audit::record(
        &mut *tx,
        audit::Entry {
            actor_key_id: who.key_id,
            actor: &who.actor(),
            action: "host.remove",
            target_kind: AuditTargetKind::Host,
            target_id: id.to_string(),
            before: before.map(|h| serde_json::to_value(h).expect("a host serialises")),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(host = %id, "host removed");
    app.refresh_fleet().await
}
