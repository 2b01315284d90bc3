//! Creating a lease: validation, the tenant's policy, quota and budget under its row lock,
//! placement by the planner, and the write; alone (retried on an overlap conflict) or in a
//! group-commit batch (`batch.rs`). Also granting a queued lease when capacity frees.

use super::{DurationSeconds, budget_check};
use crate::app::auth::Principal;
use crate::app::error::FreeCapacity;
use crate::app::placement::Reserved;
use crate::app::{App, Error, idempotency};
use crate::domain::lease::{EndReason, LeaseState};
use crate::domain::lease_view::{Lease, LeaseSlice};
use crate::domain::tenant::Tenant;
use crate::domain::{budget, duration, validate};
use crate::store;
use chrono::{DateTime, SubsecRound, Utc};
use slicebroker_types::api::LeaseCreate;
use slicebroker_types::{GpuModel, ModelId, ProfileRequest, SliceShape, limits};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

/// How many times a grant is retried after another writer took the chosen memory slices.
const MAX_ATTEMPTS: usize = 5;

/// A validated request.
#[derive(Debug)]
pub(super) struct Plan {
    request: ProfileRequest,
    /// `request` as stored and echoed back.
    request_text: String,
    models: Vec<ModelId>,
    /// `models` as catalog keys, as stored with the lease.
    model_keys: Vec<String>,
    duration: i64,
    count: usize,
    idle_timeout: Option<i64>,
    priority: i32,
    /// SHA-256 (hex) of everything above, the labels and `wait`: what an `Idempotency-Key`
    /// is bound to.
    fingerprint: String,
}

impl Plan {
    fn fingerprint(
        &self,
        labels: &std::collections::BTreeMap<String, String>,
        wait: bool,
    ) -> String {
        use sha2::Digest;
        let canonical = serde_json::json!({
            "request": self.request_text,
            "models": self.model_keys,
            "duration": self.duration,
            "count": self.count,
            "idle_timeout": self.idle_timeout,
            "priority": self.priority,
            "labels": labels,
            "wait": wait,
        });
        let digest = sha2::Sha256::digest(canonical.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn validate_create(req: &LeaseCreate) -> Result<Plan, Error> {
    let request = match (&req.profile, req.min_memory_gib) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "profile",
                "give either `profile` or `min_memory_gib`, not both",
            ));
        }
        (Some(p), None) if p.len() > 64 => {
            return Err(Error::invalid("profile", "at most 64 characters"));
        }
        (Some(p), None) => {
            ProfileRequest::parse(p).map_err(|e| Error::invalid("profile", e.to_string()))?
        }
        (None, Some(gib)) => {
            if !(1..=limits::MAX_MIN_MEMORY_GIB).contains(&gib) {
                return Err(Error::invalid(
                    "min_memory_gib",
                    format!("must be between 1 and {}", limits::MAX_MIN_MEMORY_GIB),
                ));
            }
            let compute = req.min_compute_slices.unwrap_or(1);
            if !(1..=limits::MAX_MIN_COMPUTE_SLICES).contains(&compute) {
                return Err(Error::invalid(
                    "min_compute_slices",
                    format!("must be between 1 and {}", limits::MAX_MIN_COMPUTE_SLICES),
                ));
            }
            ProfileRequest::Need {
                min_memory_gib: gib,
                min_compute_slices: compute,
            }
        }
        (None, None) => {
            return Err(Error::invalid(
                "profile",
                "give `profile` (like `2g.20gb` or `3g`) or `min_memory_gib`",
            ));
        }
    };
    if req.gpu_models.len() > limits::MAX_MODELS {
        return Err(Error::invalid(
            "gpu_models",
            format!("at most {} models", limits::MAX_MODELS),
        ));
    }
    let mut models = Vec::new();
    for (i, m) in req.gpu_models.iter().enumerate() {
        models.push(GpuModel::parse(m).map_err(|e| {
            Error::invalid(
                limits::pointer(&["gpu_models", &i.to_string()]),
                e.to_string(),
            )
        })?);
    }
    request
        .resolve(&models)
        .map_err(|e| Error::invalid("profile", e.to_string()))?;
    let count = req.count.unwrap_or(1);
    if !(1..=limits::MAX_COUNT).contains(&count) {
        return Err(Error::invalid(
            "count",
            format!("must be between 1 and {}", limits::MAX_COUNT),
        ));
    }
    validate::labels(&req.labels)?;
    let priority = req.priority.unwrap_or(0);
    if !limits::PRIORITY.contains(&priority) {
        return Err(Error::invalid("priority", "must be between -100 and 100"));
    }
    let mut plan = Plan {
        request_text: request.to_string(),
        request,
        model_keys: models
            .iter()
            .map(|m| GpuModel::get(*m).key.to_owned())
            .collect(),
        models,
        priority,
        duration: req.duration.seconds_of("duration")?,
        count: count as usize,
        idle_timeout: req
            .idle_timeout
            .as_ref()
            .map(|d| d.seconds_of("idle_timeout"))
            .transpose()?,
        fingerprint: String::new(),
    };
    plan.fingerprint = plan.fingerprint(&req.labels, req.wait);
    Ok(plan)
}

/// Creates a lease. Returns the lease and whether it was created now (false: an earlier
/// request with the same idempotency key made it).
pub async fn lease_create(
    app: &App,
    who: &Principal,
    req: LeaseCreate,
    idempotency_key: Option<&str>,
) -> Result<(Lease, bool), Error> {
    let tenant_id = who.own_tenant()?;
    if !who.role.can_write_leases() {
        return Err(Error::Forbidden("viewers cannot create leases".into()));
    }
    if let Some(k) = idempotency_key
        && (k.is_empty() || k.len() > 200)
    {
        return Err(Error::invalid(
            "Idempotency-Key",
            "must be 1-200 characters",
        ));
    }
    let plan = validate_create(&req)?;
    let claim = match idempotency_key {
        Some(key) => Some(idempotency::claim(app, tenant_id, key, &plan.fingerprint).await?),
        None => None,
    };
    let request = Arc::new(CreateRequest {
        who: who.clone(),
        tenant_id,
        plan,
        req,
        idempotency_key: idempotency_key.map(str::to_owned),
        claim: claim.as_ref().map(|c| c.token),
    });
    let out = match super::batch::create(app, request.clone()).await {
        Some(out) => out,
        None => create_alone(app, &request).await,
    };
    if let Some(claim) = claim {
        claim.settle().await;
    }
    out
}

/// A validated create request, as the batch writer and the lone path take it.
#[derive(Debug)]
pub(crate) struct CreateRequest {
    pub(super) who: Principal,
    pub(super) tenant_id: Uuid,
    pub(super) req: LeaseCreate,
    pub(super) plan: Plan,
    pub(super) idempotency_key: Option<String>,
    /// The token of this request's claim on its key (`app::idempotency`).
    pub(super) claim: Option<Uuid>,
}

impl CreateRequest {
    /// The claim a grant of this request consumes: (tenant, key, token).
    pub(super) fn claim(&self) -> Option<(Uuid, &str, Uuid)> {
        Some((
            self.tenant_id,
            self.idempotency_key.as_deref()?,
            self.claim?,
        ))
    }
}

/// A create in a transaction of its own: retried on a placement conflict, and, when nothing
/// fits, once more after reloading the fleet before saying what is free.
async fn create_alone(app: &App, r: &CreateRequest) -> Result<(Lease, bool), Error> {
    let mut refreshed = false;
    for attempt in 1..=MAX_ATTEMPTS {
        match try_create(app, r).await {
            Err(Attempt::Conflict(mut gpus)) => {
                tracing::debug!(attempt, ?gpus, "placement conflict; reloading the GPUs");
                gpus.sort();
                gpus.dedup();
                for gpu in gpus {
                    app.index().refresh_gpu(app.db(), gpu).await?;
                }
            }
            Err(Attempt::NoFit(_)) if !refreshed => {
                // The index may lag inventory added by another replica or process.
                app.refresh_fleet().await?;
                refreshed = true;
            }
            Err(Attempt::NoFit(e)) => {
                app.metrics().rejected("no_capacity");
                return Err(e);
            }
            Err(Attempt::Failed(e)) => {
                app.metrics().rejected(e.code());
                return Err(e);
            }
            Ok(out) => {
                if out.1 {
                    app.metrics().granted();
                }
                return Ok(out);
            }
        }
    }
    app.metrics().rejected("conflict");
    Err(Error::Unavailable(
        "placement kept conflicting with concurrent grants; retry".into(),
    ))
}

enum Attempt {
    /// Another writer holds a place chosen on one of these GPUs: reload them and retry.
    Conflict(Vec<Uuid>),
    NoFit(Error),
    Failed(Error),
}

impl From<sqlx::Error> for Attempt {
    fn from(e: sqlx::Error) -> Self {
        Attempt::Failed(e.into())
    }
}

impl From<Error> for Attempt {
    fn from(e: Error) -> Self {
        Attempt::Failed(e)
    }
}

async fn try_create(app: &App, r: &CreateRequest) -> Result<(Lease, bool), Attempt> {
    let CreateRequest {
        who,
        tenant_id,
        req,
        plan,
        idempotency_key,
        claim: _,
    } = r;
    let (tenant_id, idempotency_key) = (*tenant_id, idempotency_key.as_deref());
    let db = app.db();
    let mut tx = db.begin().await?;
    let tenant = store::tenants::lock(&mut tx, tenant_id)
        .await?
        .ok_or(Error::Unauthenticated(
            "the token's tenant no longer exists",
        ))?;
    if let Some(key) = idempotency_key
        && let Some((id, fingerprint)) =
            store::leases::find_by_idempotency_key(&mut tx, tenant_id, key).await?
    {
        let lease = store::leases::get(&mut tx, id, Some(tenant_id)).await?;
        tx.commit().await?;
        return Ok(replayed(lease, fingerprint.as_deref(), plan, key)?);
    }
    // Microseconds, as the database keeps them: the lease returned now matches later reads.
    let now = Utc::now().trunc_subsecs(6);
    let mut room = Room::read(&mut tx, std::slice::from_ref(&tenant), now)
        .await?
        .remove(&tenant_id)
        .unwrap_or_default();
    let grant = match decide(app, &tenant, &mut room, req, plan, now)? {
        Decided::Grant(grant) => *grant,
        Decided::NoFit(shapes, nofit) => {
            drop(tx);
            return Err(Attempt::NoFit(no_capacity(app, &shapes, &nofit).await?));
        }
    };
    let actor = who.actor();
    let new = grant.new_lease(who, plan, idempotency_key, &actor);
    let claims: Vec<_> = r.claim().into_iter().collect();
    if !store::idempotency::consume(&mut tx, &claims).await? {
        drop(tx);
        app.index()
            .forget(grant.reserved.iter().map(|r| r.slice_id));
        return Err(Attempt::Failed(idempotency::lost(
            idempotency_key.unwrap_or_default(),
        )));
    }
    let written = store::leases::insert(&mut tx, std::slice::from_ref(&new)).await;
    if let Err(e) = commit_grant(app, tx, written, &grant.reserved).await {
        return Err(match store::constraint(&e) {
            Some("slices_no_overlap") => {
                Attempt::Conflict(grant.reserved.iter().map(|r| r.gpu_id).collect())
            }
            Some("leases_idempotency_key_unique") => Error::Conflict {
                code: "conflict",
                detail: "a concurrent request with the same Idempotency-Key won; retry".into(),
            }
            .into(),
            _ => e.into(),
        });
    }
    Ok((grant.lease, true))
}

/// An earlier request's lease found by its idempotency key: the same lease if the request is
/// the same (the whole request, by its fingerprint; by shape and count for leases made before
/// fingerprints were kept), else a conflict.
pub(super) fn replayed(
    lease: Option<Lease>,
    fingerprint: Option<&str>,
    plan: &Plan,
    key: &str,
) -> Result<(Lease, bool), Error> {
    let lease = lease.ok_or_else(|| Error::Internal("idempotent lease vanished".into()))?;
    let same = match fingerprint {
        Some(f) => f == plan.fingerprint,
        None => lease.request == plan.request_text && lease.count as usize == plan.count,
    };
    if !same {
        return Err(idempotency::reused(key));
    }
    Ok((lease, false))
}

/// What a create request comes to under its tenant's row lock.
pub(super) enum Decided {
    Grant(Box<Grant>),
    /// Nothing fits (and the request does not wait).
    NoFit(Vec<SliceShape>, slicebroker_placement::NoFit),
}

/// A lease to write: granted with its placements reserved in the index, or queued.
pub(super) struct Grant {
    pub(super) lease: Lease,
    pub(super) event: &'static str,
    pub(super) detail: serde_json::Value,
    pub(super) reserved: Vec<Reserved>,
}

impl Grant {
    pub(super) fn new_lease<'a>(
        &'a self,
        who: &Principal,
        plan: &'a Plan,
        idempotency_key: Option<&'a str>,
        actor: &'a str,
    ) -> store::leases::NewLease<'a> {
        store::leases::NewLease {
            lease: &self.lease,
            origin: store::leases::Origin {
                idempotency_key,
                idempotency_fingerprint: idempotency_key.map(|_| plan.fingerprint.as_str()),
                created_by: Some(who.key_id),
                gpu_models: &plan.model_keys,
                priority: plan.priority,
            },
            event_kind: self.event,
            event_detail: self.detail.clone(),
            actor,
        }
    }
}

/// The tenant's policy, quota and budget applied to a request, and its placement reserved in
/// the index. On a grant, `room` shrinks by what the lease takes.
pub(super) fn decide(
    app: &App,
    tenant: &Tenant,
    room: &mut Room,
    req: &LeaseCreate,
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<Decided, Error> {
    let policy = &tenant.policy;
    if plan.duration > policy.max_lease_seconds {
        return Err(Error::policy(
            "duration",
            format!(
                "{} is longer than the tenant's maximum of {}",
                duration::format_seconds(plan.duration),
                duration::format_seconds(policy.max_lease_seconds)
            ),
        ));
    }
    let idle_timeout = match plan.idle_timeout {
        Some(t) if t > policy.default_idle_timeout_seconds => {
            return Err(Error::policy(
                "idle_timeout",
                format!(
                    "may only be shorter than the tenant's {}",
                    duration::format_seconds(policy.default_idle_timeout_seconds)
                ),
            ));
        }
        Some(t) => t,
        None => policy.default_idle_timeout_seconds,
    };
    let models = allowed_models(&plan.models, &policy.allowed_gpu_models)?;
    let shapes = plan
        .request
        .resolve(&models)
        .map_err(|e| Error::invalid("profile", e.to_string()))?;
    let ends_at = limits::add_seconds(now, plan.duration)
        .ok_or_else(|| Error::invalid("duration", "ends too far in the future"))?;
    let taken = room.admit(tenant, &shapes, plan.count, now, ends_at)?;
    let lease = |state: LeaseState, slices: Vec<LeaseSlice>| {
        let granted = state != LeaseState::Pending;
        Lease {
            id: Uuid::now_v7(),
            tenant_id: tenant.id,
            state,
            end_reason: None,
            request: plan.request_text.clone(),
            count: plan.count as i32,
            duration_seconds: plan.duration,
            idle_timeout_seconds: idle_timeout,
            extended_seconds: 0,
            extensions: 0,
            labels: req.labels.clone(),
            granted_at: granted.then_some(now),
            activated_at: None,
            ends_at: granted.then_some(ends_at),
            ended_at: None,
            created_at: now,
            slices,
        }
    };
    let reservation = app.index().reserve(
        shapes.clone(),
        plan.count,
        now.timestamp(),
        ends_at.timestamp(),
    );
    Ok(Decided::Grant(Box::new(match reservation {
        Ok(reserved) => Grant {
            lease: lease(
                LeaseState::Provisioning,
                reserved.iter().map(Reserved::view).collect(),
            ),
            event: "granted",
            detail: placements(&reserved),
            reserved,
        },
        Err(_) if req.wait => {
            // A queued lease holds nothing yet.
            room.give_back(taken);
            Grant {
                lease: lease(LeaseState::Pending, Vec::new()),
                event: "queued",
                detail: serde_json::json!({}),
                reserved: Vec::new(),
            }
        }
        Err(nofit) => {
            room.give_back(taken);
            return Ok(Decided::NoFit(shapes, nofit));
        }
    })))
}

/// Commits a grant written in `tx` (its hosts' generations move at commit, migration 0004)
/// and settles the reservations in the placement index: kept on success, dropped on failure.
pub(super) async fn commit_grant<E: From<sqlx::Error>>(
    app: &App,
    tx: store::Tx<'_>,
    written: Result<(), E>,
    reserved: &[Reserved],
) -> Result<(), E> {
    let committed = match written {
        Ok(()) => tx.commit().await.map_err(E::from),
        Err(e) => Err(e),
    };
    let ids: Vec<Uuid> = reserved.iter().map(|r| r.slice_id).collect();
    match committed {
        Ok(()) => app.index().confirm(&ids),
        Err(_) => app.index().forget(ids),
    }
    committed
}

/// What a tenant may still take: what it holds now and, under a monthly budget, the
/// compute-slice-seconds committed this month. Read under the tenant's row lock.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Room {
    holding: store::tenants::Holding,
    budget_used: i64,
}

/// What one admitted request adds to a [`Room`].
#[derive(Clone, Copy, Debug)]
struct Taken {
    compute: i64,
    memory: i64,
    budget: i64,
}

impl Room {
    /// The room of each of `tenants` (whose row locks the caller holds) as of `now`.
    pub(super) async fn read(
        tx: &mut store::Tx<'_>,
        tenants: &[Tenant],
        now: DateTime<Utc>,
    ) -> Result<HashMap<Uuid, Room>, Error> {
        let ids: Vec<Uuid> = tenants.iter().map(|t| t.id).collect();
        let mut held = store::tenants::live_usage(&mut **tx, &ids).await?;
        let month = budget::Month::containing(now);
        let mut rooms = HashMap::with_capacity(tenants.len());
        for t in tenants {
            let budget_used = match t.policy.monthly_budget_slice_hours {
                Some(_) => {
                    store::usage::committed_compute_seconds(&mut **tx, t.id, month.start, month.end)
                        .await?
                }
                None => 0,
            };
            let holding = held.remove(&t.id).unwrap_or_default();
            rooms.insert(
                t.id,
                Room {
                    holding,
                    budget_used,
                },
            );
        }
        Ok(rooms)
    }

    /// Whether the tenant's quota and monthly budget leave room for `count` slices of the
    /// worst of `shapes` from `now` to `ends_at`; if so, takes it.
    fn admit(
        &mut self,
        tenant: &Tenant,
        shapes: &[SliceShape],
        count: usize,
        now: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    ) -> Result<Taken, Error> {
        let policy = &tenant.policy;
        let h = &self.holding;
        // Quota: what the tenant holds plus the worst case of this request.
        let worst = |f: fn(&SliceShape) -> i64| shapes.iter().map(f).max().unwrap_or(0);
        let want_compute = worst(|s| i64::from(s.profile().compute_slices)) * count as i64;
        let want_memory = worst(|s| i64::from(s.profile().nominal_memory_gib())) * count as i64;
        quota("live leases", h.leases, 1, policy.max_live_leases)?;
        quota(
            "compute slices",
            h.compute,
            want_compute,
            policy.max_live_compute_slices,
        )?;
        quota(
            "memory GiB",
            h.memory,
            want_memory,
            policy.max_live_memory_gib,
        )?;
        let mut budget_cost = 0;
        if let Some(hours) = policy.monthly_budget_slice_hours {
            let month = budget::Month::containing(now);
            budget_cost = budget::cost(month, want_compute, now, ends_at);
            budget_check(hours, self.budget_used, budget_cost, "duration")?;
        }
        let taken = Taken {
            compute: want_compute,
            memory: want_memory,
            budget: budget_cost,
        };
        self.holding.leases += 1;
        self.holding.compute += taken.compute;
        self.holding.memory += taken.memory;
        self.budget_used += taken.budget;
        Ok(taken)
    }

    /// Undoes [`Room::admit`] for slices that were not placed, keeping the lease (a queued
    /// lease counts against `max_live_leases`).
    fn give_back(&mut self, taken: Taken) {
        self.holding.compute -= taken.compute;
        self.holding.memory -= taken.memory;
        self.budget_used -= taken.budget;
    }
}

/// What became of a pending lease the queue offered a place.
#[derive(Debug, PartialEq, Eq)]
pub enum PendingGrant {
    Granted,
    /// Nothing fits, or the tenant's quota or budget is full: it keeps its place.
    Waiting(&'static str),
    /// No longer pending, or another replica is granting it.
    Gone,
}

/// Grants a pending lease if capacity, quota and budget allow now: the same checks and
/// placement as at creation, under the tenant's row lock. Its paid time starts at activation.
pub async fn grant_pending(app: &App, id: Uuid) -> Result<PendingGrant, Error> {
    let mut tx = app.db().begin().await?;
    let Some(p) = store::leases::lock_pending(&mut tx, id).await? else {
        return Ok(PendingGrant::Gone);
    };
    let Some(tenant) = store::tenants::lock(&mut tx, p.tenant_id).await? else {
        return Ok(PendingGrant::Gone);
    };
    let request = ProfileRequest::parse(&p.request)
        .map_err(|e| Error::Internal(format!("pending lease {id}: {e}")))?;
    let requested: Vec<ModelId> = p
        .gpu_models
        .iter()
        .filter_map(|m| GpuModel::find(m))
        .collect();
    let shapes =
        match allowed_models(&requested, &tenant.policy.allowed_gpu_models).and_then(|models| {
            request
                .resolve(&models)
                .map_err(|e| Error::invalid("profile", e.to_string()))
        }) {
            Ok(shapes) => shapes,
            // The tenant's policy changed while it waited: it can never be granted.
            Err(e) => {
                store::leases::transition(
                    &mut tx,
                    id,
                    LeaseState::Ended,
                    Some(EndReason::Cancelled),
                )
                .await?;
                store::leases::insert_event(
                    &mut *tx,
                    id,
                    "cancelled",
                    Some(LeaseState::Pending),
                    Some(LeaseState::Ended),
                    serde_json::json!({ "reason": e.to_string() }),
                    "system",
                )
                .await?;
                tx.commit().await?;
                return Ok(PendingGrant::Gone);
            }
        };
    let now = Utc::now().trunc_subsecs(6);
    let ends_at = limits::add_seconds(now, p.duration_seconds)
        .ok_or_else(|| Error::Internal(format!("pending lease {id}: duration out of range")))?;
    let mut room = Room::read(&mut tx, std::slice::from_ref(&tenant), now)
        .await?
        .remove(&tenant.id)
        .unwrap_or_default();
    // The pending lease is already one of the tenant's live leases.
    room.holding.leases -= 1;
    match room.admit(&tenant, &shapes, p.slice_count as usize, now, ends_at) {
        Ok(_) => {}
        Err(e @ (Error::QuotaExceeded(_) | Error::BudgetExceeded { .. })) => {
            return Ok(PendingGrant::Waiting(e.code()));
        }
        Err(e) => return Err(e),
    }
    let Ok(reserved) = app.index().reserve(
        shapes,
        p.slice_count as usize,
        now.timestamp(),
        ends_at.timestamp(),
    ) else {
        return Ok(PendingGrant::Waiting("no_capacity"));
    };
    let slices: Vec<LeaseSlice> = reserved.iter().map(Reserved::view).collect();
    let written =
        store::leases::grant_pending(&mut tx, id, now, ends_at, &slices, placements(&reserved))
            .await;
    if let Err(e) = commit_grant(app, tx, written, &reserved).await {
        if store::constraint(&e) == Some("slices_no_overlap") {
            for gpu in reserved.iter().map(|r| r.gpu_id) {
                app.index().refresh_gpu(app.db(), gpu).await?;
            }
            return Ok(PendingGrant::Waiting("conflict"));
        }
        return Err(e.into());
    }
    app.metrics().granted();
    Ok(PendingGrant::Granted)
}

/// The `granted` event's record of where the slices went.
fn placements(reserved: &[Reserved]) -> serde_json::Value {
    let placements: Vec<_> = reserved
        .iter()
        .map(|r| {
            serde_json::json!({
                "gpu_id": r.gpu_id, "profile": r.shape.profile().name,
                "start": r.start, "size": r.size,
            })
        })
        .collect();
    serde_json::json!({ "placements": placements })
}

fn quota(what: &str, used: i64, want: i64, limit: Option<i32>) -> Result<(), Error> {
    match limit {
        Some(limit) if used + want > i64::from(limit) => Err(Error::QuotaExceeded(format!(
            "the tenant holds {used} {what} of its {limit}; this request needs {want} more"
        ))),
        _ => Ok(()),
    }
}

/// The request's models narrowed by the tenant's allowed list.
fn allowed_models(requested: &[ModelId], allowed: &[String]) -> Result<Vec<ModelId>, Error> {
    if allowed.is_empty() {
        return Ok(requested.to_vec());
    }
    let allowed: Vec<ModelId> = allowed.iter().filter_map(|m| GpuModel::find(m)).collect();
    if requested.is_empty() {
        return Ok(allowed);
    }
    if let Some(bad) = requested.iter().find(|m| !allowed.contains(m)) {
        return Err(Error::policy(
            "gpu_models",
            format!(
                "the tenant may not use {}; allowed: {}",
                GpuModel::get(*bad).key,
                allowed
                    .iter()
                    .map(|m| GpuModel::get(*m).key)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    Ok(requested.to_vec())
}

/// The 503 body: why nothing fits, what does fit now, and when a matching slice frees up.
async fn no_capacity(
    app: &App,
    shapes: &[SliceShape],
    why: &slicebroker_placement::NoFit,
) -> Result<Error, Error> {
    let models: Vec<ModelId> = shapes.iter().map(|s| s.model).collect();
    let free = app
        .index()
        .capacity()
        .into_iter()
        .filter(|(m, _)| models.contains(m))
        .flat_map(|(m, profiles)| {
            let model = GpuModel::get(m);
            profiles
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(move |(p, n)| FreeCapacity {
                    model: model.key.to_owned(),
                    profile: model.profile(p).name.to_owned(),
                    available: n,
                })
        })
        .collect();
    let keys: Vec<String> = models
        .iter()
        .map(|m| GpuModel::get(*m).key.to_owned())
        .collect();
    let next_free_at = store::leases::next_end_on_models(app.db(), &keys).await?;
    Ok(Error::NoCapacity {
        detail: format!(
            "no capacity for {}: {why}",
            shapes
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        free,
        next_free_at,
    })
}
