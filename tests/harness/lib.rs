//! The end-to-end harness: a fresh database, server and agent processes on ports picked at run
//! time, an HTTP client for the public API, and poll-until helpers with deadlines (never bare
//! sleeps). Every process is killed when its handle drops; its log is printed if a test fails.

mod http;
pub mod nvml;
mod pg;
mod procs;

pub use http::{Client, Resp};
pub use pg::PrivatePg;
pub use procs::{AgentSpec, Cluster, ClusterOptions, bin};

use std::future::Future;
use std::time::{Duration, Instant};

/// Polls `check` until it returns `Some`, or panics with `what` after `deadline`.
pub async fn wait_until<T, F, Fut>(what: &str, deadline: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let start = Instant::now();
    let mut pause = Duration::from_millis(10);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            start.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}"
        );
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

/// The base URL of the test PostgreSQL (any database on it; tests create their own).
pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}
