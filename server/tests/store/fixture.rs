//! A tenant, a host and GPUs written through the store, and leases put into any state the way
//! the server would get them there.

use chrono::{SubsecRound, Utc};
use slicebroker_server::store;
use slicebroker_types::api::{Lease, LeaseEventKind, LeaseSlice, LeaseState, TenantPolicy};
use slicebroker_types::{GpuId, HostId, LeaseId, SliceId, TenantId};
use sqlx::PgPool;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy)]
pub struct World {
    pub tenant: TenantId,
    pub host: HostId,
}

pub async fn world(db: &PgPool) -> World {
    let tenant = TenantId::new();
    store::tenants::insert(db, tenant, "team-a", "Team A", &TenantPolicy::default())
        .await
        .unwrap();
    let host = HostId::new();
    store::fleet::insert_host(db, host, "node-1").await.unwrap();
    World { tenant, host }
}

/// A new H100 on the world's host.
pub async fn gpu(db: &PgPool, w: World) -> GpuId {
    let gpu = GpuId::new();
    let index: i64 = sqlx::query_scalar("SELECT count(*) FROM gpus")
        .fetch_one(db)
        .await
        .unwrap();
    store::fleet::insert_gpu(
        db,
        gpu,
        w.host,
        &format!("GPU-{}", gpu),
        index as i32,
        "h100-80gb",
    )
    .await
    .unwrap();
    gpu
}

/// The lease view of a new lease in `state` with one 1g.10gb slice at `start` of `gpu` (none
/// while pending).
pub fn view(w: World, state: LeaseState, gpu: GpuId, start: i32) -> Lease {
    let now = Utc::now().trunc_subsecs(6);
    let slices = if state == LeaseState::Pending {
        Vec::new()
    } else {
        vec![LeaseSlice {
            id: SliceId::new(),
            host_id: w.host,
            host: "node-1".into(),
            gpu_id: gpu,
            gpu_uuid: format!("GPU-{gpu}"),
            model: "h100-80gb".into(),
            profile: "1g.10gb".into(),
            start,
            size: 1,
            compute_slices: 1,
            memory_gib: 10,
            mig_device_uuid: None,
            cuda_visible_devices: None,
            released_at: None,
        }]
    };
    let granted = state != LeaseState::Pending;
    // A booking starts in an hour; everything else now.
    let from = if state == LeaseState::Booked {
        now + chrono::Duration::hours(1)
    } else {
        now
    };
    Lease {
        id: LeaseId::new(),
        tenant_id: w.tenant,
        state: match state {
            LeaseState::Pending | LeaseState::Booked => state,
            _ => LeaseState::Provisioning,
        },
        end_reason: None,
        request: "1g.10gb".into(),
        class: None,
        count: 1,
        duration_seconds: 3600,
        idle_timeout_seconds: 3600,
        extended_seconds: 0,
        extensions: 0,
        labels: BTreeMap::new(),
        granted_at: granted.then_some(from),
        activated_at: None,
        ends_at: granted.then(|| from + chrono::Duration::hours(1)),
        ended_at: None,
        created_at: now,
        slices,
        usage: None,
        health: None,
    }
}

pub fn new_lease(lease: &Lease) -> store::leases::NewLease<'_> {
    store::leases::NewLease {
        lease,
        origin: store::leases::Origin {
            idempotency_key: None,
            idempotency_fingerprint: None,
            created_by: None,
            gpu_models: &[],
            priority: 0,
        },
        event_kind: LeaseEventKind::Granted,
        event_detail: serde_json::json!({}),
        actor: "test",
    }
}

/// A lease in `state` (with a slice on a GPU of its own unless pending), brought there along
/// the legal transitions, as the server would.
pub async fn lease(db: &PgPool, w: World, state: LeaseState) -> Lease {
    let gpu = gpu(db, w).await;
    let lease = view(w, state, gpu, 0);
    let mut tx = db.begin().await.unwrap();
    store::leases::insert(&mut tx, &[new_lease(&lease)])
        .await
        .unwrap();
    store::fleet::bump_generations(&mut tx, &[w.host])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let path: &[&str] = match state {
        LeaseState::Booked | LeaseState::Pending | LeaseState::Provisioning => &[],
        LeaseState::Active => &["active"],
        LeaseState::Releasing => &["active", "releasing"],
        LeaseState::Ended => &["active", "ended"],
    };
    for step in path {
        let set = match *step {
            "active" => "state = 'active', activated_at = now()",
            "releasing" => "state = 'releasing', release_reason = 'released'",
            _ => "state = 'ended', end_reason = 'released', ended_at = now()",
        };
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "UPDATE leases SET {set} WHERE id = '{}'",
            lease.id
        )))
        .execute(db)
        .await
        .unwrap();
    }
    if state == LeaseState::Ended {
        sqlx::query("UPDATE slices SET released_at = now() WHERE lease_id = $1")
            .bind(lease.id.get())
            .execute(db)
            .await
            .unwrap();
    }
    lease
}

pub async fn state(db: &PgPool, id: LeaseId) -> LeaseState {
    let s: String = sqlx::query_scalar("SELECT state::text FROM leases WHERE id = $1")
        .bind(id.get())
        .fetch_one(db)
        .await
        .unwrap();
    s.parse().unwrap()
}
