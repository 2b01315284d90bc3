//! Grants and releases by group commit (see `app::group_commit`). Concurrent creates share one
//! transaction: their tenants are locked in id order, each request is decided against its
//! tenant's policy, quota and budget in arrival order (what an earlier one took counts against
//! the next), the leases are written in one statement, and every host they touch has its
//! generation bumped once, in id order (DESIGN.md §2, invariants 3 and 4). Releases likewise.
//!
//! Anything the batch cannot settle goes back to its asker to run alone, in a transaction of
//! its own (`create_alone`, `end_alone`): a request that finds no room (the lone path reloads
//! the fleet and says what is free), a second request for the same lease or idempotency key,
//! and every request of a batch whose transaction failed (a placement conflict with another
//! replica, a deadlock, a lost connection). Nothing of a failed batch is kept, so a request
//! is written exactly once either way.

use super::create::{CreateRequest, Decided, Grant, Room, decide, replayed};
use super::end::{EndRequest, end_many};
use crate::app::group_commit::GroupCommit;
use crate::app::{App, Error, WeakApp};
use crate::domain::lease_view::Lease;
use crate::store;
use chrono::{SubsecRound, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::oneshot;
use uuid::Uuid;

/// How a batch answers one request.
enum Outcome<T> {
    Done(Result<T, Error>),
    /// Run it alone.
    Alone,
}

struct Job<R, T> {
    request: R,
    reply: oneshot::Sender<Outcome<T>>,
}

type CreateJob = Job<Arc<CreateRequest>, (Lease, bool)>;
type EndJob = Job<EndRequest, Lease>;

/// The two batch writers of a server.
#[derive(Debug)]
pub(crate) struct Writers {
    creates: GroupCommit<CreateJob>,
    ends: GroupCommit<EndJob>,
}

/// At most this many batches of each kind in flight: one being written while the next forms.
const PARALLEL: usize = 1;

impl Writers {
    /// `None` when group commit is off (`group_commit_max` = 1).
    pub(crate) fn spawn(app: WeakApp, max: usize) -> Option<Self> {
        if max <= 1 {
            return None;
        }
        let a = app.clone();
        let creates = GroupCommit::spawn(max, PARALLEL, move |jobs| {
            let app = a.upgrade();
            async move {
                if let Some(app) = app {
                    write_creates(&app, jobs).await;
                }
            }
        });
        let ends = GroupCommit::spawn(max, PARALLEL, move |jobs| {
            let app = app.upgrade();
            async move {
                if let Some(app) = app {
                    write_ends(&app, jobs).await;
                }
            }
        });
        Some(Self { creates, ends })
    }
}

/// Queues a job and waits for its answer; `None`: run it alone.
async fn ask<R, T>(queue: &GroupCommit<Job<R, T>>, request: R) -> Option<Result<T, Error>>
where
    R: Send + 'static,
    T: Send + 'static,
{
    let (reply, answer) = oneshot::channel();
    queue.submit(Job { request, reply }).ok()?;
    match answer.await {
        Ok(Outcome::Done(out)) => Some(out),
        // Alone, or the writer failed before answering: nothing of this request was written.
        Ok(Outcome::Alone) | Err(_) => None,
    }
}

/// A create through the batch writer; `None`: the caller runs it alone.
pub(super) async fn create(
    app: &App,
    request: Arc<CreateRequest>,
) -> Option<Result<(Lease, bool), Error>> {
    ask(&app.writers()?.creates, request).await
}

/// A release or revoke through the batch writer; `None`: the caller runs it alone.
pub(super) async fn end(app: &App, request: EndRequest) -> Option<Result<Lease, Error>> {
    ask(&app.writers()?.ends, request).await
}

/// Sends every job its outcome; a job without one goes alone. When the batch failed, all go
/// alone.
fn answer<R, T>(jobs: Vec<Job<R, T>>, outcomes: Result<Vec<Option<Outcome<T>>>, Error>) -> usize {
    let mut alone = 0;
    let mut outcomes = match outcomes {
        Ok(o) => o.into_iter(),
        Err(e) => {
            tracing::debug!(error = %e, jobs = jobs.len(), "batch failed; each request runs alone");
            Vec::new().into_iter()
        }
    };
    for job in jobs {
        let outcome = outcomes.next().flatten().unwrap_or(Outcome::Alone);
        alone += usize::from(matches!(outcome, Outcome::Alone));
        let _ = job.reply.send(outcome);
    }
    alone
}

/// Jobs whose asker is still waiting, with those that repeat an earlier job's `key` sent off to
/// run alone (after this batch, which they will then see).
fn live_and_distinct<R, T, K: Eq + std::hash::Hash>(
    jobs: &mut Vec<Job<R, T>>,
    key: impl Fn(&R) -> Option<K>,
) -> usize {
    let mut seen = HashSet::new();
    let mut alone = 0;
    let mut keep = Vec::with_capacity(jobs.len());
    for job in jobs.drain(..) {
        if job.reply.is_closed() {
            continue;
        }
        if let Some(k) = key(&job.request)
            && !seen.insert(k)
        {
            let _ = job.reply.send(Outcome::Alone);
            alone += 1;
            continue;
        }
        keep.push(job);
    }
    *jobs = keep;
    alone
}

async fn write_creates(app: &App, mut jobs: Vec<CreateJob>) {
    let repeats = live_and_distinct(&mut jobs, |r| {
        r.idempotency_key.clone().map(|k| (r.tenant_id, k))
    });
    if jobs.is_empty() {
        return;
    }
    let n = jobs.len();
    let outcomes = creates(app, &jobs).await;
    let alone = answer(jobs, outcomes);
    app.metrics().batch("create", n + repeats, alone + repeats);
}

async fn creates(
    app: &App,
    jobs: &[CreateJob],
) -> Result<Vec<Option<Outcome<(Lease, bool)>>>, Error> {
    let mut outcomes: Vec<Option<Outcome<(Lease, bool)>>> = jobs.iter().map(|_| None).collect();
    let mut grants: Vec<(usize, Grant)> = Vec::new();
    let mut tx = app.db().begin().await?;
    let decided = decide_creates(app, &mut tx, jobs, &mut outcomes, &mut grants).await;
    let actors: Vec<String> = grants
        .iter()
        .map(|(i, _)| jobs[*i].request.who.actor())
        .collect();
    let reserved: Vec<_> = grants
        .iter()
        .flat_map(|(_, g)| g.reserved.iter().cloned())
        .collect();
    let mut conflicted = false;
    let written = match decided {
        Ok(()) if grants.is_empty() => Ok(()),
        Ok(()) => {
            let new: Vec<_> = grants
                .iter()
                .zip(&actors)
                .map(|((i, g), actor)| {
                    let r = &jobs[*i].request;
                    g.new_lease(&r.who, &r.plan, r.idempotency_key.as_deref(), actor)
                })
                .collect();
            let mut hosts: Vec<Uuid> = reserved.iter().map(|r| r.host_id).collect();
            hosts.sort();
            hosts.dedup();
            let claims: Vec<_> = grants
                .iter()
                .filter_map(|(i, _)| jobs[*i].request.claim())
                .collect();
            match store::idempotency::consume(&mut tx, &claims).await {
                // A claim was taken over as stale: the batch fails and each request runs alone,
                // where the one that lost its claim is told so.
                Ok(false) => Err(Error::Unavailable("an idempotency claim was lost".into())),
                Err(e) => Err(e.into()),
                Ok(true) => match store::leases::insert(&mut tx, &new).await {
                    Ok(()) => store::fleet::bump_generations_for_all(&mut tx, &hosts, &[])
                        .await
                        .map_err(Error::from),
                    Err(e) => {
                        conflicted = store::constraint(&e) == Some("slices_no_overlap");
                        Err(e.into())
                    }
                },
            }
        }
        Err(e) => Err(e),
    };
    let committed = super::create::commit_grant(app, tx, written, &reserved).await;
    if conflicted {
        // Another replica took some of these places: reload those GPUs so that the requests,
        // now run alone, place on what is really free.
        let mut gpus: Vec<Uuid> = reserved.iter().map(|r| r.gpu_id).collect();
        gpus.sort();
        gpus.dedup();
        for gpu in gpus {
            app.index().refresh_gpu(app.db(), gpu).await?;
        }
    }
    committed?;
    for (i, grant) in grants {
        app.metrics().granted();
        outcomes[i] = Some(Outcome::Done(Ok((grant.lease, true))));
    }
    for o in outcomes.iter().flatten() {
        if let Outcome::Done(Err(e)) = o {
            app.metrics().rejected(e.code());
        }
    }
    Ok(outcomes)
}

/// Each request decided under its tenant's row lock, in arrival order; grants reserve their
/// placements in the index (the caller settles them).
async fn decide_creates(
    app: &App,
    tx: &mut store::Tx<'_>,
    jobs: &[CreateJob],
    outcomes: &mut [Option<Outcome<(Lease, bool)>>],
    grants: &mut Vec<(usize, Grant)>,
) -> Result<(), Error> {
    let mut ids: Vec<Uuid> = jobs.iter().map(|j| j.request.tenant_id).collect();
    ids.sort();
    ids.dedup();
    let tenants = store::tenants::lock_many(tx, &ids).await?;
    // Microseconds, as the database keeps them: the leases returned now match later reads.
    let now = Utc::now().trunc_subsecs(6);
    let mut rooms = Room::read(tx, &tenants, now).await?;
    let tenants: HashMap<Uuid, _> = tenants.iter().map(|t| (t.id, t)).collect();
    for (i, job) in jobs.iter().enumerate() {
        let r = &job.request;
        let Some(tenant) = tenants.get(&r.tenant_id) else {
            outcomes[i] = Some(Outcome::Done(Err(Error::Unauthenticated(
                "the token's tenant no longer exists",
            ))));
            continue;
        };
        if let Some(key) = &r.idempotency_key
            && let Some((id, fingerprint)) =
                store::leases::find_by_idempotency_key(tx, r.tenant_id, key).await?
        {
            let lease = store::leases::get(tx, id, Some(r.tenant_id)).await?;
            outcomes[i] = Some(Outcome::Done(replayed(
                lease,
                fingerprint.as_deref(),
                &r.plan,
                key,
            )));
            continue;
        }
        let room = rooms.entry(r.tenant_id).or_default();
        outcomes[i] = match decide(app, tenant, room, &r.req, &r.plan, now) {
            Ok(Decided::Grant(grant)) => {
                grants.push((i, *grant));
                None
            }
            Ok(Decided::NoFit(..)) => Some(Outcome::Alone),
            Err(e) => Some(Outcome::Done(Err(e))),
        };
    }
    Ok(())
}

async fn write_ends(app: &App, mut jobs: Vec<EndJob>) {
    let repeats = live_and_distinct(&mut jobs, |r| Some(r.id));
    if jobs.is_empty() {
        return;
    }
    let n = jobs.len();
    let requests: Vec<&EndRequest> = jobs.iter().map(|j| &j.request).collect();
    let outcomes = end_many(app, &requests)
        .await
        .map(|ends| ends.into_iter().map(|e| Some(Outcome::Done(e))).collect());
    let alone = answer(jobs, outcomes);
    app.metrics().batch("end", n + repeats, alone + repeats);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(n: u32) -> (Job<u32, ()>, oneshot::Receiver<Outcome<()>>) {
        let (reply, rx) = oneshot::channel();
        (Job { request: n, reply }, rx)
    }

    #[test]
    fn repeats_go_alone_and_abandoned_jobs_are_dropped() {
        let (a, _ra) = job(1);
        let (b, mut rb) = job(1);
        let (c, rc) = job(2);
        let (d, _rd) = job(3);
        drop(rc);
        let mut jobs = vec![a, b, c, d];
        assert_eq!(live_and_distinct(&mut jobs, |n| Some(*n)), 1);
        assert_eq!(
            jobs.iter().map(|j| j.request).collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert!(matches!(rb.try_recv(), Ok(Outcome::Alone)));
    }

    #[test]
    fn a_failed_batch_sends_everyone_alone() {
        let (a, mut ra) = job(1);
        let (b, mut rb) = job(2);
        assert_eq!(
            answer(vec![a, b], Err(Error::Unavailable("down".into()))),
            2
        );
        assert!(matches!(ra.try_recv(), Ok(Outcome::Alone)));
        assert!(matches!(rb.try_recv(), Ok(Outcome::Alone)));
        let (a, mut ra) = job(1);
        let (b, mut rb) = job(2);
        assert_eq!(
            answer(vec![a, b], Ok(vec![Some(Outcome::Done(Ok(()))), None])),
            1
        );
        assert!(matches!(ra.try_recv(), Ok(Outcome::Done(Ok(())))));
        assert!(matches!(rb.try_recv(), Ok(Outcome::Alone)));
    }
}
