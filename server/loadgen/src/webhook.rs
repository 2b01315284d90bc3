//! `--webhook`: a receiver in this process for a fleet-wide webhook on every lease's `granted`
//! and `released` events, so that the loaded run delivers two webhooks per create → release.
//! Delivery latency is measured at the receiver, from the event's `at` (the server's clock,
//! which is this machine's) to the moment the request arrives, for deliveries of events made
//! while measuring. Each delivery counts once (by its delivery id; a redelivery is counted
//! apart).

use anyhow::Context;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use slicebroker_client::Client;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the receiver saw: (event time, latency) per first delivery, and repeats.
#[derive(Debug, Default)]
struct Seen {
    ids: HashSet<String>,
    latencies: Vec<(DateTime<Utc>, Duration)>,
    repeats: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Receiver {
    seen: Arc<Mutex<Seen>>,
}

impl Receiver {
    /// Serves `POST /hook` on a free loopback port; returns the receiver and its URL.
    pub async fn start() -> anyhow::Result<(Self, String)> {
        let receiver = Self::default();
        let state = receiver.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    let arrived = Utc::now();
                    state.record(&headers, &body, arrived);
                    StatusCode::NO_CONTENT
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("webhook receiver stopped: {e}");
            }
        });
        Ok((receiver, url))
    }

    fn record(&self, headers: &HeaderMap, body: &[u8], arrived: DateTime<Utc>) {
        let id = headers
            .get("x-slicebroker-delivery")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let at = serde_json::from_slice::<Value>(body).ok().and_then(|v| {
            v["event"]["at"]
                .as_str()
                .and_then(|s| s.parse::<DateTime<Utc>>().ok())
        });
        let mut seen = self
            .seen
            .lock()
            .expect("the receiver's lock is never poisoned");
        if !seen.ids.insert(id) {
            seen.repeats += 1;
            return;
        }
        if let Some(at) = at {
            let latency = (arrived - at).to_std().unwrap_or_default();
            seen.latencies.push((at, latency));
        }
    }

    /// Deliveries received so far (first tries of each).
    pub fn received(&self) -> usize {
        self.seen.lock().expect("never poisoned").ids.len()
    }

    /// One line: p50/p90/p99/max of the deliveries of events made in `[from, until)`.
    pub fn summary(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> String {
        let seen = self.seen.lock().expect("never poisoned");
        let l = crate::stats::Latency::of(
            seen.latencies
                .iter()
                .filter(|(at, _)| *at >= from && *at < until)
                .map(|(_, d)| *d)
                .collect(),
        );
        format!(
            "webhook delivery (event to receiver) n={:<7} p50 {:>6.2} ms  p90 {:>6.2} ms  \
             p99 {:>6.2} ms  max {:>7.2} ms; {} received in all, {} repeated\n",
            l.count,
            l.p50,
            l.p90,
            l.p99,
            l.max,
            seen.ids.len(),
            seen.repeats
        )
    }
}

/// Registers a fleet-wide webhook to `url` for `granted` and `released` events.
pub async fn register(client: &Client, admin_token: &str, url: &str) -> anyhow::Result<()> {
    client
        .post("/v1/webhooks")
        .bearer(admin_token)
        .json(&json!({ "url": url, "kinds": ["granted", "released"], "format": "json", "enabled": true }))
        .call::<Value>()
        .await
        .context("registering the webhook")?;
    Ok(())
}

/// Waits until the outbox has no pending delivery (or `limit` passes); returns how long it
/// took.
pub async fn drain(db: &sqlx::PgPool, limit: Duration) -> anyhow::Result<Duration> {
    let t = std::time::Instant::now();
    loop {
        let pending: i64 =
            sqlx::query_scalar("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending'")
                .fetch_one(db)
                .await?;
        if pending == 0 || t.elapsed() >= limit {
            return Ok(t.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
