//! Group commit: requests that arrive while a batch is being written wait for it to finish,
//! then go together in the next one. Under load, one transaction (one commit and its WAL flush,
//! one bump of each host's generation, one round of locks) serves many requests; a request
//! that arrives alone is written at once, with no timer to wait out.
//!
//! The writer owns the batch: it answers each job through the job's own channel. A job whose
//! asker has gone (its request was cancelled) is the writer's to skip.

use std::future::Future;
use std::sync::Arc;
use tokio::sync::{Semaphore, mpsc};

/// A queue of jobs in front of a batch writer.
pub struct GroupCommit<J> {
    queue: mpsc::UnboundedSender<J>,
}

impl<J> std::fmt::Debug for GroupCommit<J> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("closed", &self.queue.is_closed())
            .finish()
    }
}

impl<J: Send + 'static> GroupCommit<J> {
    /// Starts the writer: `write` gets batches of at most `max` jobs, with at most `parallel`
    /// batches in flight. The writer stops when the last [`GroupCommit`] handle is dropped.
    pub fn spawn<F, Fut>(max: usize, parallel: usize, write: F) -> Self
    where
        F: Fn(Vec<J>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let (queue, mut jobs) = mpsc::unbounded_channel();
        let write = Arc::new(write);
        let slots = Arc::new(Semaphore::new(parallel.max(1)));
        tokio::spawn(async move {
            loop {
                // Wait for a free slot first: what arrives meanwhile forms the next batch.
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                let mut batch = Vec::with_capacity(max);
                if jobs.recv_many(&mut batch, max.max(1)).await == 0 {
                    return;
                }
                let write = write.clone();
                tokio::spawn(async move {
                    write(batch).await;
                    drop(slot);
                });
            }
        });
        Self { queue }
    }

    /// Queues a job; gives it back if the writer has stopped.
    pub fn submit(&self, job: J) -> Result<(), J> {
        self.queue.send(job).map_err(|e| e.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;
    use tokio::sync::oneshot;

    type Job = (u32, oneshot::Sender<usize>);
    type Log = Arc<Mutex<Vec<Vec<u32>>>>;

    /// A writer that records each batch, waits for a permit of `gate`, then answers each job
    /// with its batch's size; a job numbered 99 makes it panic.
    fn recording(parallel: usize, gate: Arc<Semaphore>) -> (GroupCommit<Job>, Log) {
        let seen = Log::default();
        let log = seen.clone();
        let gc = GroupCommit::spawn(4, parallel, move |batch: Vec<Job>| {
            let log = log.clone();
            let gate = gate.clone();
            async move {
                log.lock()
                    .unwrap()
                    .push(batch.iter().map(|j| j.0).collect());
                gate.acquire().await.unwrap().forget();
                assert!(batch.iter().all(|j| j.0 != 99), "writer failed");
                let n = batch.len();
                for (_, reply) in batch {
                    let _ = reply.send(n);
                }
            }
        });
        (gc, seen)
    }

    async fn until(what: impl Fn() -> bool) {
        tokio::time::timeout(Duration::from_secs(5), async {
            while !what() {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("condition not reached in 5 s");
    }

    fn submit(gc: &GroupCommit<Job>, n: u32) -> oneshot::Receiver<usize> {
        let (tx, rx) = oneshot::channel();
        gc.submit((n, tx)).unwrap();
        rx
    }

    #[tokio::test]
    async fn jobs_arriving_during_a_write_go_together_in_the_next_batch_up_to_the_limit() {
        let gate = Arc::new(Semaphore::new(0));
        let (gc, seen) = recording(1, gate.clone());
        let mut answers = vec![submit(&gc, 0)];
        until(|| seen.lock().unwrap().len() == 1).await;
        answers.extend((1..=6).map(|n| submit(&gc, n)));
        gate.add_permits(3);
        let mut sizes = Vec::new();
        for rx in answers {
            sizes.push(rx.await.unwrap());
        }
        assert_eq!(
            *seen.lock().unwrap(),
            vec![vec![0], vec![1, 2, 3, 4], vec![5, 6]]
        );
        assert_eq!(sizes, vec![1, 4, 4, 4, 4, 2, 2]);
    }

    #[tokio::test]
    async fn batches_overlap_up_to_the_parallel_limit() {
        let gate = Arc::new(Semaphore::new(0));
        let (gc, seen) = recording(2, gate.clone());
        let first = submit(&gc, 0);
        until(|| seen.lock().unwrap().len() == 1).await;
        let second = submit(&gc, 1);
        until(|| seen.lock().unwrap().len() == 2).await;
        let third = submit(&gc, 2);
        // Both slots are busy: the third waits.
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(seen.lock().unwrap().len(), 2);
        gate.add_permits(3);
        assert_eq!(
            (
                first.await.unwrap(),
                second.await.unwrap(),
                third.await.unwrap()
            ),
            (1, 1, 1)
        );
    }

    #[tokio::test]
    async fn a_failed_write_drops_its_jobs_answers_and_frees_its_slot() {
        let gate = Arc::new(Semaphore::new(10));
        let (gc, _) = recording(1, gate);
        assert!(submit(&gc, 99).await.is_err());
        assert_eq!(submit(&gc, 1).await.unwrap(), 1);
    }

    #[tokio::test]
    async fn the_writer_stops_when_the_last_handle_is_dropped() {
        let token = Arc::new(());
        let held = token.clone();
        let gc = GroupCommit::spawn(4, 1, move |_: Vec<u32>| {
            let _ = &held;
            async {}
        });
        gc.submit(1).unwrap();
        assert_eq!(Arc::strong_count(&token), 2);
        drop(gc);
        until(|| Arc::strong_count(&token) == 1).await;
    }
}
