//! Group commit for leases (see `app::group_commit`): creates that arrive while a batch is
//! being written go together in the next one, and so do releases. Each batch goes through the
//! one write path (`write::creates`, `end::end_many`), the same a lone request takes; the
//! writer answers each request on its own channel.

use super::create::{CreateRequest, Created};
use super::end::{EndRequest, end_many};
use crate::app::group_commit::GroupCommit;
use crate::app::{App, Error, WeakApp};
use slicebroker_types::api::Lease;
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::oneshot;

struct Job<R, T> {
    request: R,
    reply: oneshot::Sender<Result<T, Error>>,
}

type CreateJob = Job<Arc<CreateRequest>, Created>;
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

    pub(super) async fn create(&self, request: Arc<CreateRequest>) -> Result<Created, Error> {
        ask(&self.creates, request).await
    }

    pub(super) async fn end(&self, request: EndRequest) -> Result<Lease, Error> {
        ask(&self.ends, request).await
    }
}

/// Queues a job and waits for its answer.
async fn ask<R, T>(queue: &GroupCommit<Job<R, T>>, request: R) -> Result<T, Error>
where
    R: Send + 'static,
    T: Send + 'static,
{
    let (reply, answer) = oneshot::channel();
    queue
        .submit(Job { request, reply })
        .map_err(|_| Error::Unavailable("the server is shutting down".into()))?;
    answer
        .await
        .unwrap_or_else(|_| Err(Error::internal("the batch writer stopped before answering")))
}

/// Jobs whose asker is still waiting (a request whose client went away is not written).
fn live<R, T>(jobs: Vec<Job<R, T>>) -> Vec<Job<R, T>> {
    jobs.into_iter().filter(|j| !j.reply.is_closed()).collect()
}

async fn write_creates(app: &App, jobs: Vec<CreateJob>) {
    let jobs = live(jobs);
    if jobs.is_empty() {
        return;
    }
    let requests: Vec<Arc<CreateRequest>> = jobs.iter().map(|j| j.request.clone()).collect();
    let (answers, stats) = super::write::creates_counted(app, &requests).await;
    app.metrics().batch("create", jobs.len(), stats.alone);
    for (job, answer) in jobs.into_iter().zip(answers) {
        let _ = job.reply.send(answer);
    }
}

async fn write_ends(app: &App, jobs: Vec<EndJob>) {
    let jobs = live(jobs);
    if jobs.is_empty() {
        return;
    }
    // A second request for the same lease goes after the first, and so sees it.
    let mut seen = HashSet::new();
    let (now, later): (Vec<EndJob>, Vec<EndJob>) =
        jobs.into_iter().partition(|j| seen.insert(j.request.id));
    let mut alone = later.len();
    let n = now.len() + later.len();
    let requests: Vec<&EndRequest> = now.iter().map(|j| &j.request).collect();
    match end_many(app, &requests).await {
        Ok(answers) => {
            for (job, answer) in now.into_iter().zip(answers) {
                let _ = job.reply.send(answer);
            }
        }
        Err(e) => {
            tracing::debug!(error = %e.chain(), jobs = now.len(), "batch failed; each request runs alone");
            alone += now.len();
            for job in now {
                let answer = end_alone(app, &job.request).await;
                let _ = job.reply.send(answer);
            }
        }
    }
    for job in later {
        let answer = end_alone(app, &job.request).await;
        let _ = job.reply.send(answer);
    }
    app.metrics().batch("end", n, alone);
}

async fn end_alone(app: &App, r: &EndRequest) -> Result<Lease, Error> {
    end_many(app, &[r])
        .await?
        .pop()
        .expect("one answer per request")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_whose_asker_left_are_not_written() {
        let (a, _ra) = oneshot::channel::<Result<(), Error>>();
        let (b, rb) = oneshot::channel::<Result<(), Error>>();
        drop(rb);
        let jobs = vec![
            Job {
                request: 1,
                reply: a,
            },
            Job {
                request: 2,
                reply: b,
            },
        ];
        let kept: Vec<u32> = live(jobs).into_iter().map(|j| j.request).collect();
        assert_eq!(kept, vec![1]);
    }
}
