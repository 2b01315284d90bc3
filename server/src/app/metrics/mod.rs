//! `/metrics`: counters and histograms kept in this process (per replica: Prometheus sums them
//! across replicas), and gauges read from the database at scrape time (`scrape`: the same on
//! every replica, so aggregate them with `max`, not `sum`). Labels are bounded: routes are
//! the router's patterns, statuses their class, and no series carries a lease id.

mod health;
mod scrape;
mod text;

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use text::{Histogram, Text};

/// Request and grant latency buckets (seconds).
const LATENCY: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Reconcile latency buckets (seconds): an agent polls and reports every few seconds.
const RECONCILE: &[f64] = &[
    0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
];

/// Webhook delivery latency buckets (seconds): from the event to the receiver's answer,
/// retries included.
const WEBHOOK: &[f64] = &[
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0,
];

#[derive(Debug, Default)]
pub struct Metrics {
    grants: AtomicU64,
    rejections: Mutex<BTreeMap<String, u64>>,
    /// (route, status class) → latency.
    requests: Mutex<BTreeMap<(String, &'static str), Histogram>>,
    /// How a create request ended (`granted`, `booked`, `queued`) → its latency.
    creates: Mutex<BTreeMap<&'static str, Histogram>>,
    /// From a host's generation bump to its agent's report of applying it.
    reconciles: Mutex<Option<Histogram>>,
    /// Group commit, by kind (`create`, `end`): batches written, requests they carried, and
    /// requests sent back to run alone.
    batches: Mutex<BTreeMap<&'static str, [u64; 3]>>,
    /// Webhook delivery tries by outcome (`delivered`, `retried`, `failed`).
    webhook_tries: Mutex<BTreeMap<&'static str, u64>>,
    /// From a delivery's event (or its redelivery) to the receiver's 2xx.
    webhook_latency: Mutex<Option<Histogram>>,
}

fn status_class(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

impl Metrics {
    pub fn granted(&self) {
        self.grants.fetch_add(1, Ordering::Relaxed);
    }

    pub fn rejected(&self, reason: &str) {
        *self
            .rejections
            .lock()
            .expect("metrics lock")
            .entry(reason.to_owned())
            .or_default() += 1;
    }

    /// A batch of `kind` that carried `requests` and sent `alone` of them back.
    pub fn batch(&self, kind: &'static str, requests: usize, alone: usize) {
        let mut m = self.batches.lock().expect("metrics lock");
        let e = m.entry(kind).or_default();
        e[0] += 1;
        e[1] += requests as u64;
        e[2] += alone as u64;
    }

    pub fn observe_request(&self, route: &str, status: u16, seconds: f64) {
        self.requests
            .lock()
            .expect("metrics lock")
            .entry((route.to_owned(), status_class(status)))
            .or_insert_with(|| Histogram::new(LATENCY))
            .observe(seconds);
    }

    /// A create request that was `outcome` (`granted`, `booked`, `queued`) after `seconds`.
    pub fn created(&self, outcome: &'static str, seconds: f64) {
        self.creates
            .lock()
            .expect("metrics lock")
            .entry(outcome)
            .or_insert_with(|| Histogram::new(LATENCY))
            .observe(seconds);
    }

    /// An agent reported applying its host's newest generation `seconds` after it was made.
    pub fn reconciled(&self, seconds: f64) {
        self.reconciles
            .lock()
            .expect("metrics lock")
            .get_or_insert_with(|| Histogram::new(RECONCILE))
            .observe(seconds);
    }

    /// A webhook delivery try came out `outcome` (`delivered`, `retried`: not accepted and
    /// tried again later, `failed`: given up). A delivered one took `seconds` from its event.
    pub fn webhook_try(&self, outcome: &'static str, seconds: Option<f64>) {
        *self
            .webhook_tries
            .lock()
            .expect("metrics lock")
            .entry(outcome)
            .or_default() += 1;
        if let Some(seconds) = seconds {
            self.webhook_latency
                .lock()
                .expect("metrics lock")
                .get_or_insert_with(|| Histogram::new(WEBHOOK))
                .observe(seconds);
        }
    }

    /// Appends this process's counters and histograms.
    fn render(&self, t: &mut Text) {
        t.single(
            "slicebroker_lease_grants_total",
            "counter",
            "Leases granted (this replica).",
            self.grants.load(Ordering::Relaxed) as f64,
        );
        t.family(
            "slicebroker_lease_rejections_total",
            "counter",
            "Lease requests refused, by reason (this replica).",
        );
        for (reason, n) in self.rejections.lock().expect("metrics lock").iter() {
            t.sample(
                "slicebroker_lease_rejections_total",
                &[("reason", reason)],
                *n as f64,
            );
        }
        let batches = self.batches.lock().expect("metrics lock").clone();
        for (i, (name, help)) in [
            (
                "batches",
                "Group-commit transactions, by kind (create, end).",
            ),
            (
                "requests",
                "Requests carried by group-commit transactions, by kind.",
            ),
            (
                "alone",
                "Requests a batch sent back to run in a transaction of their own.",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let name = format!("slicebroker_group_commit_{name}_total");
            t.family(&name, "counter", help);
            for (kind, n) in &batches {
                t.sample(&name, &[("kind", kind)], n[i] as f64);
            }
        }
        let name = "slicebroker_http_request_duration_seconds";
        t.family(
            name,
            "histogram",
            "Request latency by route and status class (this replica).",
        );
        for ((route, status), h) in self.requests.lock().expect("metrics lock").iter() {
            h.render(t, name, &[("route", route), ("status", status)]);
        }
        let name = "slicebroker_lease_create_duration_seconds";
        t.family(
            name,
            "histogram",
            "Lease create requests from validation to answer, by outcome (granted, booked, \
             queued), group-commit wait included (this replica).",
        );
        for (outcome, h) in self.creates.lock().expect("metrics lock").iter() {
            h.render(t, name, &[("outcome", outcome)]);
        }
        let name = "slicebroker_reconcile_duration_seconds";
        t.family(
            name,
            "histogram",
            "From a host's desired-generation bump to its agent's report of applying it \
             (observed by the replica that took the report).",
        );
        let reconciles = self.reconciles.lock().expect("metrics lock").clone();
        reconciles
            .unwrap_or_else(|| Histogram::new(RECONCILE))
            .render(t, name, &[]);
        let name = "slicebroker_webhook_deliveries_total";
        t.family(
            name,
            "counter",
            "Webhook delivery tries by outcome: delivered, retried (not accepted, tried again \
             later), failed (given up after webhook_retry_for) (this replica).",
        );
        let tries = self.webhook_tries.lock().expect("metrics lock").clone();
        for outcome in ["delivered", "retried", "failed"] {
            let n = tries.get(outcome).copied().unwrap_or(0);
            t.sample(name, &[("outcome", outcome)], n as f64);
        }
        let name = "slicebroker_webhook_delivery_seconds";
        t.family(
            name,
            "histogram",
            "From a lease event (or a redelivery request) to the receiver's 2xx, retries \
             included (observed by the replica that delivered it).",
        );
        let latency = self.webhook_latency.lock().expect("metrics lock").clone();
        latency
            .unwrap_or_else(|| Histogram::new(WEBHOOK))
            .render(t, name, &[]);
    }
}

/// Whether the database answers (the readiness probe).
pub async fn ready(app: &super::App) -> Result<(), super::Error> {
    // Within a second, not the pool's 5 s acquire timeout: probes time out sooner than that
    // (Kubernetes' default is 1 s), and a probe should see a 503, not a timeout.
    let unready = || super::Error::Unavailable("the database does not answer".into());
    tokio::time::timeout(READY_WITHIN, crate::store::ping(app.db()))
        .await
        .map_err(|_| unready())?
        .map_err(|_| unready())
}

/// How long `/readyz` waits for the database.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_millis(900);

/// The whole `/metrics` page: this process's counters, its database pool, and the gauges
/// read from the database.
pub async fn exposition(app: &super::App) -> Result<String, super::Error> {
    let mut t = Text::default();
    app.metrics().render(&mut t);
    let pool = app.db();
    let idle = pool.num_idle() as f64;
    t.family(
        "slicebroker_db_pool_connections",
        "gauge",
        "Database connections of this replica's pool, by state (idle, in_use).",
    );
    t.sample(
        "slicebroker_db_pool_connections",
        &[("state", "idle")],
        idle,
    );
    t.sample(
        "slicebroker_db_pool_connections",
        &[("state", "in_use")],
        (f64::from(pool.size()) - idle).max(0.0),
    );
    t.single(
        "slicebroker_db_pool_max_connections",
        "gauge",
        "The most connections this replica's pool opens (database_max_connections).",
        f64::from(app.config().database_max_connections.get()),
    );
    scrape::render(app, &mut t).await?;
    Ok(t.finish())
}
