//! The one way leases are created: any number of requests (a lone request is a batch of one)
//! in one transaction. Their tenants are locked in id order; each request is decided against
//! its tenant's policy, quota and budget in arrival order (what an earlier one took counts
//! against the next: `domain::admission`); the leases, slices and events are written in one
//! statement; and every host they touch has its generation bumped once, in id order, as the
//! last statement (DESIGN.md §2, invariants 3 and 4).
//!
//! What one transaction cannot settle is settled here too: a request that finds no room is
//! tried once more after the fleet is reloaded (the index may lag another replica), then told
//! what is free; a transaction that lost places to another replica reloads those GPUs and, for
//! a batch, runs each request on its own (so that one conflict does not fail the others), for a
//! lone request tries again; a second request with the same `Idempotency-Key` runs after the
//! first, and so replays it. Nothing of a failed transaction is kept, so each request is
//! written exactly once.

use super::create::{CreateRequest, Created, Plan};
use crate::app::error::FreeCapacity;
use crate::app::placement::{Reserved, end_secs, start_secs};
use crate::app::{App, Error, idempotency};
use crate::domain::admission::{self, Room};
use crate::store::{self, Violation};
use chrono::{DateTime, SubsecRound, Utc};
use slicebroker_types::api::{Lease, LeaseEventKind, LeaseSlice, LeaseState, Tenant};
use slicebroker_types::{GpuId, GpuModel, LeaseId, ModelId, SliceShape, TenantId};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How many times a lone request is tried after another writer took its places.
const MAX_ATTEMPTS: usize = 5;

/// What writing a batch took, for the group-commit counters.
#[derive(Debug, Default)]
pub(super) struct Stats {
    /// Requests that had to be run again on their own.
    pub(super) alone: usize,
}

/// Creates each request's lease; one answer per request, in order.
pub(super) async fn creates(
    app: &App,
    requests: &[Arc<CreateRequest>],
) -> Vec<Result<Created, Error>> {
    creates_counted(app, requests).await.0
}

pub(super) async fn creates_counted(
    app: &App,
    requests: &[Arc<CreateRequest>],
) -> (Vec<Result<Created, Error>>, Stats) {
    let mut answers: Vec<Option<Result<Created, Error>>> = requests.iter().map(|_| None).collect();
    let mut stats = Stats::default();
    let mut todo: Vec<usize> = (0..requests.len()).collect();
    // A repeat of an idempotency key waits for the request before it, and then replays it.
    while !todo.is_empty() {
        let mut seen = HashSet::new();
        let (now, later): (Vec<usize>, Vec<usize>) = todo.into_iter().partition(|&i| {
            let r = &requests[i];
            r.idempotency_key
                .as_ref()
                .is_none_or(|k| seen.insert((r.tenant_id, k.clone())))
        });
        stats.alone += later.len();
        run(app, requests, &now, &mut answers, &mut stats).await;
        todo = later;
    }
    let answers = answers
        .into_iter()
        .map(|a| a.unwrap_or_else(|| Err(Error::internal("a create request got no answer"))))
        .collect();
    (answers, stats)
}

/// Runs `which` requests together, then what they could not settle, until each is answered.
async fn run(
    app: &App,
    requests: &[Arc<CreateRequest>],
    which: &[usize],
    answers: &mut [Option<Result<Created, Error>>],
    stats: &mut Stats,
) {
    let mut todo = which.to_vec();
    let mut refreshed = false;
    let mut attempts = 0;
    // GPUs on which a lone request lost a race with another replica: it then places alone.
    let mut contested: Vec<GpuId> = Vec::new();
    while !todo.is_empty() {
        attempts += 1;
        let batch: Vec<&CreateRequest> = todo.iter().map(|&i| &*requests[i]).collect();
        let alone = (todo.len() == 1 && !contested.is_empty()).then_some(contested.as_slice());
        match transaction(app, &batch, alone).await {
            Ok(decisions) => {
                let mut nofit = Vec::new();
                for (&i, d) in todo.iter().zip(decisions) {
                    match d {
                        Decision::Done(out) => answers[i] = Some(out),
                        Decision::NoFit(shapes, why) => nofit.push((i, shapes, why)),
                    }
                }
                if nofit.is_empty() {
                    return;
                }
                if !refreshed {
                    // The index may lag inventory added by another replica or process.
                    refreshed = true;
                    if let Err(e) = app.refresh_fleet().await {
                        tracing::warn!(error = %e.chain(), "reloading the fleet failed");
                        for (i, ..) in nofit {
                            answers[i] = Some(Err(Error::Unavailable(
                                "the fleet could not be reloaded; retry".into(),
                            )));
                        }
                        return;
                    }
                    todo = nofit.into_iter().map(|(i, ..)| i).collect();
                    continue;
                }
                for (i, shapes, why) in nofit {
                    app.metrics().rejected("no_capacity");
                    let plan = &requests[i].plan;
                    let wanted = (plan.count, plan.start, plan.duration);
                    answers[i] = Some(match no_capacity(app, &shapes, &why, wanted).await {
                        Ok(e) | Err(e) => Err(e),
                    });
                }
                return;
            }
            Err(failed) => {
                if let Failed::Conflict(gpus) = &failed {
                    tracing::debug!(attempts, ?gpus, "placement conflict; reloading the GPUs");
                    for gpu in gpus {
                        if let Err(e) = app.index().refresh_gpu(app.db(), *gpu).await {
                            tracing::warn!(error = %store::describe(&e), "reloading a GPU failed");
                        }
                    }
                }
                if todo.len() > 1 {
                    // One request's trouble must not fail the others: each runs on its own.
                    tracing::debug!(
                        requests = todo.len(),
                        "batch failed; each request runs alone"
                    );
                    stats.alone += todo.len();
                    for &i in &todo {
                        Box::pin(run(app, requests, &[i], answers, stats)).await;
                    }
                    return;
                }
                let i = todo[0];
                match failed {
                    Failed::Conflict(gpus) if attempts < MAX_ATTEMPTS => {
                        contested.extend(gpus);
                        contested.sort();
                        contested.dedup();
                    }
                    Failed::Conflict(_) => {
                        app.metrics().rejected("conflict");
                        answers[i] = Some(Err(Error::Unavailable(
                            "placement kept conflicting with concurrent grants; retry".into(),
                        )));
                        return;
                    }
                    Failed::Error(e) => {
                        app.metrics().rejected(e.code());
                        answers[i] = Some(Err(e));
                        return;
                    }
                }
            }
        }
    }
}

/// How one request of a transaction came out.
enum Decision {
    Done(Result<Created, Error>),
    /// Nothing fits now (and the request does not wait).
    NoFit(Vec<SliceShape>, slicebroker_placement::NoFit),
}

/// Why a transaction wrote nothing.
enum Failed {
    /// Another writer holds places chosen on these GPUs.
    Conflict(Vec<GpuId>),
    Error(Error),
}

impl From<sqlx::Error> for Failed {
    fn from(e: sqlx::Error) -> Self {
        Failed::Error(e.into())
    }
}

impl From<Error> for Failed {
    fn from(e: Error) -> Self {
        Failed::Error(e)
    }
}

/// One transaction for `batch`: each request decided in order, the grants written together.
/// It places beside the other writers (`alone: None`), or, for a request that lost a placement
/// race on `alone`'s GPUs, with every other writer of every replica held off: once no one
/// else is placing, those GPUs are reloaded (and after a second loss, the whole fleet), so the
/// request cannot lose again.
async fn transaction(
    app: &App,
    batch: &[&CreateRequest],
    alone: Option<&[GpuId]>,
) -> Result<Vec<Decision>, Failed> {
    let mut tx = app.db().begin().await?;
    match alone {
        None => store::fleet::hold_placement(&mut tx, store::fleet::Placing::Beside).await?,
        Some(gpus) => {
            store::fleet::hold_placement(&mut tx, store::fleet::Placing::Alone).await?;
            // On this connection: the pool's others may all be waiting for this transaction.
            if gpus.len() > 1 {
                app.index().refresh_on(&mut tx).await?;
            } else {
                for gpu in gpus {
                    app.index().refresh_gpu(&mut *tx, *gpu).await?;
                }
            }
        }
    }
    let mut ids: Vec<TenantId> = batch.iter().map(|r| r.tenant_id).collect();
    ids.sort();
    ids.dedup();
    let tenants = store::tenants::lock_many(&mut tx, &ids).await?;
    // Microseconds, as the database keeps them: the leases returned now match later reads.
    let now = Utc::now().trunc_subsecs(6);
    // The latest end any request asks for (one past the bounds: the request refuses itself).
    let until = batch
        .iter()
        .filter_map(|r| {
            slicebroker_types::limits::add_seconds(r.plan.start.unwrap_or(now), r.plan.duration)
        })
        .max()
        .unwrap_or(now);
    let mut rooms = rooms(&mut tx, &tenants, now, until).await?;
    // Bookings not yet started, per tenant (for `max_bookings`), counted under the tenants'
    // locks and grown by each booking this transaction admits.
    let mut booked = if batch.iter().any(|r| r.plan.start.is_some()) {
        store::leases::booked_counts(&mut tx, &ids).await?
    } else {
        HashMap::new()
    };
    let tenants: HashMap<TenantId, &Tenant> = tenants.iter().map(|t| (t.id, t)).collect();
    let mut decisions: Vec<Option<Decision>> = batch.iter().map(|_| None).collect();
    let mut grants: Vec<(usize, Grant)> = Vec::new();
    for (i, r) in batch.iter().enumerate() {
        let Some(tenant) = tenants.get(&r.tenant_id) else {
            decisions[i] = Some(Decision::Done(Err(Error::Unauthenticated(
                "the token's tenant no longer exists",
            ))));
            continue;
        };
        if let Some(key) = &r.idempotency_key
            && let Some((id, fingerprint)) =
                store::leases::find_by_idempotency_key(&mut tx, r.tenant_id, key).await?
        {
            let lease = store::leases::get(&mut tx, id, Some(r.tenant_id)).await?;
            decisions[i] = Some(Decision::Done(replayed(
                lease,
                fingerprint.as_deref(),
                &r.plan,
                key,
            )));
            continue;
        }
        let room = rooms.entry(r.tenant_id).or_default();
        let booked = booked.entry(r.tenant_id).or_default();
        match decide(app, tenant, (room, booked), &r.plan, now) {
            Ok(Decided::Grant(grant)) => grants.push((i, *grant)),
            Ok(Decided::NoFit(shapes, why)) => decisions[i] = Some(Decision::NoFit(shapes, why)),
            Err(e) => decisions[i] = Some(Decision::Done(Err(e))),
        }
    }
    let reserved: Vec<Reserved> = grants
        .iter()
        .flat_map(|(_, g)| g.reserved.iter().cloned())
        .collect();
    let written = write(&mut tx, batch, &grants, &reserved).await;
    let committed = match written {
        Ok(()) => tx.commit().await.map_err(Failed::from),
        Err(e) => Err(e),
    };
    let slice_ids: Vec<_> = reserved.iter().map(|r| r.slice_id).collect();
    match committed {
        Ok(()) => app.index().confirm(&slice_ids),
        Err(e) => {
            app.index().forget(slice_ids);
            return Err(e);
        }
    }
    for (i, grant) in grants {
        app.metrics().granted();
        decisions[i] = Some(Decision::Done(Ok(match grant.lease.state {
            LeaseState::Pending => Created::Queued(grant.lease),
            LeaseState::Booked => Created::Booked(grant.lease),
            _ => Created::New(grant.lease),
        })));
    }
    Ok(decisions
        .into_iter()
        .map(|d| d.expect("every request of the batch was decided"))
        .collect())
}

/// Writes the grants of a transaction: their keys' claims consumed, the leases, slices and
/// events in one statement, then the hosts bumped.
async fn write(
    tx: &mut store::Tx<'_>,
    batch: &[&CreateRequest],
    grants: &[(usize, Grant)],
    reserved: &[Reserved],
) -> Result<(), Failed> {
    if grants.is_empty() {
        return Ok(());
    }
    let claims: Vec<_> = grants
        .iter()
        .filter_map(|(i, _)| batch[*i].claim())
        .collect();
    if !store::idempotency::consume(tx, &claims).await? {
        // A claim was taken over as stale while this request was being decided.
        let key = claims.first().map_or("", |c| c.1);
        return Err(if batch.len() == 1 {
            Failed::Error(idempotency::lost(key))
        } else {
            Failed::Error(Error::Unavailable("an idempotency claim was lost".into()))
        });
    }
    let actors: Vec<String> = grants.iter().map(|(i, _)| batch[*i].who.actor()).collect();
    let new: Vec<_> = grants
        .iter()
        .zip(&actors)
        .map(|((i, g), actor)| g.new_lease(batch[*i], actor))
        .collect();
    if let Err(e) = store::leases::insert(tx, &new).await {
        if store::lost_placement_race(&e) {
            let mut gpus: Vec<GpuId> = reserved.iter().map(|r| r.gpu_id).collect();
            gpus.sort();
            gpus.dedup();
            return Err(Failed::Conflict(gpus));
        }
        return Err(match store::violation(&e) {
            Some(Violation::IdempotencyKeyTaken) => Failed::Error(Error::Conflict {
                code: "idempotency_key_in_progress",
                detail: "a concurrent request with the same Idempotency-Key won; retry".into(),
            }),
            _ => e.into(),
        });
    }
    let hosts: Vec<_> = reserved.iter().map(|r| r.host_id).collect();
    store::fleet::bump_generations(tx, &hosts).await?;
    Ok(())
}

/// What each tenant may still take (their row locks held), as of `now`, for requests whose
/// windows reach up to `until` at the latest (the months whose budget use is counted).
async fn rooms(
    tx: &mut store::Tx<'_>,
    tenants: &[Tenant],
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<HashMap<TenantId, Room>, Error> {
    // Only a tenant with a quota limit needs what it holds over time.
    let limited: Vec<TenantId> = tenants
        .iter()
        .filter(|t| {
            let p = &t.policy;
            p.max_live_leases.is_some()
                || p.max_live_compute_slices.is_some()
                || p.max_live_memory_gib.is_some()
        })
        .map(|t| t.id)
        .collect();
    let mut held = if limited.is_empty() {
        HashMap::new()
    } else {
        store::tenants::live_spans(&mut **tx, &limited, now).await?
    };
    let months = Room::months(now, until);
    let mut rooms = HashMap::with_capacity(tenants.len());
    for t in tenants {
        let used = match t.policy.monthly_budget_slice_hours {
            Some(_) => store::usage::committed_compute_seconds(&mut **tx, t.id, &months).await?,
            None => vec![0; months.len()],
        };
        rooms.insert(
            t.id,
            Room {
                spans: held.remove(&t.id).unwrap_or_default(),
                budget_used: months.iter().copied().zip(used).collect(),
            },
        );
    }
    Ok(rooms)
}

/// The room of one tenant whose row lock the caller holds, for a window reaching `until`.
pub(super) async fn room(
    tx: &mut store::Tx<'_>,
    tenant: &Tenant,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Room, Error> {
    Ok(rooms(tx, std::slice::from_ref(tenant), now, until)
        .await?
        .remove(&tenant.id)
        .unwrap_or_default())
}

/// An earlier request's lease found by its idempotency key: the same lease if the request is
/// the same (the whole request, by its fingerprint; by shape and count for leases made before
/// fingerprints were kept), else a conflict.
fn replayed(
    lease: Option<Lease>,
    fingerprint: Option<&str>,
    plan: &Plan,
    key: &str,
) -> Result<Created, Error> {
    let lease = lease.ok_or_else(|| Error::internal("idempotent lease vanished"))?;
    let same = match fingerprint {
        Some(f) => f == plan.fingerprint,
        None => lease.request == plan.request_text && lease.count as usize == plan.count,
    };
    if !same {
        return Err(idempotency::reused(key));
    }
    Ok(Created::Replayed(lease))
}

/// What a create request comes to under its tenant's row lock.
enum Decided {
    Grant(Box<Grant>),
    /// Nothing fits (and the request does not wait).
    NoFit(Vec<SliceShape>, slicebroker_placement::NoFit),
}

/// A lease to write: granted with its placements reserved in the index, or queued.
struct Grant {
    lease: Lease,
    event: LeaseEventKind,
    detail: serde_json::Value,
    reserved: Vec<Reserved>,
}

impl Grant {
    fn new_lease<'a>(
        &'a self,
        r: &'a CreateRequest,
        actor: &'a str,
    ) -> store::leases::NewLease<'a> {
        store::leases::NewLease {
            lease: &self.lease,
            origin: store::leases::Origin {
                idempotency_key: r.idempotency_key.as_deref(),
                idempotency_fingerprint: r
                    .idempotency_key
                    .as_ref()
                    .map(|_| r.plan.fingerprint.as_str()),
                created_by: r.who.key_id,
                gpu_models: &r.plan.model_keys,
                priority: r.plan.priority,
            },
            event_kind: self.event,
            event_detail: self.detail.clone(),
            actor,
        }
    }
}

/// The tenant's policy, quota and budget applied to a request, and its placement reserved in
/// the index. On a grant, `room` shrinks by what the lease takes.
fn decide(
    app: &App,
    tenant: &Tenant,
    (room, booked): (&mut Room, &mut i64),
    plan: &Plan,
    now: DateTime<Utc>,
) -> Result<Decided, Error> {
    let policy = &tenant.policy;
    // A class's idle timeout is capped by the tenant's default, not refused by it.
    let idle_timeout = match (&plan.class, plan.idle_timeout) {
        (Some(_), Some(t)) => Some(t.min(policy.default_idle_timeout_seconds)),
        (_, t) => t,
    };
    let idle_timeout = admission::lease_limits(policy, plan.duration, idle_timeout)?;
    if let Some(start) = plan.start {
        admission::booking_limits(policy, start, now, plan.duration, *booked)?;
    }
    let models = admission::allowed_models(&plan.models, &policy.allowed_gpu_models)?;
    let shapes = plan.request.resolve(&models).map_err(|e| {
        // The request named something that exists (it was checked against every model): only
        // on models this tenant may not use.
        if models.is_empty() || plan.request.resolve(&plan.models).is_err() {
            Error::invalid("profile", e.to_string())
        } else {
            admission::Refusal::Policy {
                field: "profile",
                reason: format!(
                    "`{}` is only on GPU models the tenant may not use; it may use {}",
                    plan.request,
                    model_keys(&models)
                ),
            }
            .into()
        }
    })?;
    let shapes = crate::domain::classes::within_size_limit(policy, plan.class.is_some(), shapes)?;
    // A booking's window starts at its start; everything else's now.
    let from = plan.start.unwrap_or(now);
    let ends_at = slicebroker_types::limits::add_seconds(from, plan.duration)
        .ok_or_else(|| Error::invalid("duration", "ends too far in the future"))?;
    let taken = room.admit(policy, &shapes, plan.count, from, ends_at)?;
    let lease = |state: LeaseState, slices: Vec<LeaseSlice>| {
        let granted = state != LeaseState::Pending;
        Lease {
            id: LeaseId::new(),
            tenant_id: tenant.id,
            state,
            end_reason: None,
            request: plan.request_text.clone(),
            class: plan.class.clone(),
            count: plan.count as i32,
            duration_seconds: plan.duration,
            idle_timeout_seconds: idle_timeout,
            extended_seconds: 0,
            extensions: 0,
            labels: plan.labels.clone(),
            granted_at: granted.then_some(from),
            activated_at: None,
            ends_at: granted.then_some(ends_at),
            ended_at: None,
            created_at: now,
            slices,
            usage: None,
            health: None,
        }
    };
    if let Some(start) = plan.start {
        // Booked ahead: places free for the whole window, pinned now.
        let reservation = app.index().reserve_during(
            shapes.clone(),
            plan.count,
            start_secs(start),
            end_secs(ends_at),
        );
        return Ok(match reservation {
            Ok(reserved) => {
                *booked += 1;
                let mut detail = placements(&reserved);
                detail["start"] = serde_json::json!(start);
                detail["ends_at"] = serde_json::json!(ends_at);
                Decided::Grant(Box::new(Grant {
                    lease: lease(
                        LeaseState::Booked,
                        reserved.iter().map(Reserved::view).collect(),
                    ),
                    event: LeaseEventKind::Booked,
                    detail,
                    reserved,
                }))
            }
            Err(nofit) => {
                room.give_back(taken);
                Decided::NoFit(shapes, nofit)
            }
        });
    }
    let reservation = app.index().reserve(
        shapes.clone(),
        plan.count,
        start_secs(now),
        end_secs(ends_at),
    );
    Ok(Decided::Grant(Box::new(match reservation {
        Ok(reserved) => Grant {
            lease: lease(
                LeaseState::Provisioning,
                reserved.iter().map(Reserved::view).collect(),
            ),
            event: LeaseEventKind::Granted,
            detail: placements(&reserved),
            reserved,
        },
        Err(_) if plan.wait => {
            // A queued lease holds nothing yet.
            room.give_back(taken);
            Grant {
                lease: lease(LeaseState::Pending, Vec::new()),
                event: LeaseEventKind::Queued,
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

/// The `granted` event's record of where the slices went.
pub(crate) fn placements(reserved: &[Reserved]) -> serde_json::Value {
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

/// The 503: why nothing fits, what does fit now, and when a matching slice frees up.
async fn no_capacity(
    app: &App,
    shapes: &[SliceShape],
    why: &slicebroker_placement::NoFit,
    (count, start, duration): (usize, Option<DateTime<Utc>>, i64),
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
    // The models the fleet has GPUs of to place on; all of them when it has none (the reason
    // then says so).
    let index = app.index();
    let present: Vec<&SliceShape> = shapes
        .iter()
        .filter(|s| index.has_schedulable(s.model))
        .collect();
    let named: Vec<&SliceShape> = if present.is_empty() {
        shapes.iter().collect()
    } else {
        present
    };
    let wanted = named
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" or ");
    let when = start.map_or_else(String::new, |s| {
        format!(
            " from {}",
            s.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )
    });
    // When the whole request (all its slices) fits at the earliest, from the bookings and
    // running leases the index knows.
    let from = start.unwrap_or_else(Utc::now);
    let (mut detail, fits_at) = if count > 1 {
        // `why` is about the slice that found no place after the others had theirs.
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        let (fit, fits_at) =
            crate::app::calendar::free_together(app, shapes, count, from, duration);
        let detail = format!("no capacity for {count} × {wanted}{when}: only {fit} fit together");
        (detail, fits_at)
    } else {
        let fits_at = crate::app::calendar::earliest_start(app, shapes, from, duration);
        (format!("no capacity for {wanted}{when}: {why}"), fits_at)
    };
    match fits_at {
        Some(at) => detail.push_str(&format!(
            "; for its whole duration it fits from {} at the earliest (book it with `start`)",
            at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )),
        None if count > 1 => detail.push_str(&format!(
            "; all {count} do not fit together at any start in the next {} days",
            crate::app::calendar::MAX_SPAN_SECONDS / 86_400
        )),
        None => {}
    }
    Ok(Error::NoCapacity {
        detail,
        free,
        next_free_at,
    })
}

fn model_keys(models: &[ModelId]) -> String {
    let keys: Vec<_> = models.iter().map(|&m| GpuModel::get(m).key).collect();
    keys.join(", ")
}
