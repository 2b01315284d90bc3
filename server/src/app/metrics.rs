//! Counters kept in process and rendered as Prometheus text with gauges read at scrape time.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Metrics {
    grants: AtomicU64,
    rejections: Mutex<BTreeMap<String, u64>>,
    /// (route, status class) → (count, sum of seconds).
    requests: Mutex<BTreeMap<(String, u16), (u64, f64)>>,
    /// Group commit, by kind (`create`, `end`): batches written, requests they carried, and
    /// requests sent back to run alone.
    batches: Mutex<BTreeMap<&'static str, [u64; 3]>>,
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
        let mut m = self.requests.lock().expect("metrics lock");
        let e = m.entry((route.to_owned(), status)).or_default();
        e.0 += 1;
        e.1 += seconds;
    }

    /// Appends the counters in Prometheus text format.
    pub fn render(&self, out: &mut String) {
        use std::fmt::Write;
        let _ = writeln!(out, "# HELP slicebroker_lease_grants_total Leases granted.");
        let _ = writeln!(out, "# TYPE slicebroker_lease_grants_total counter");
        let _ = writeln!(
            out,
            "slicebroker_lease_grants_total {}",
            self.grants.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP slicebroker_lease_rejections_total Lease requests refused, by reason."
        );
        let _ = writeln!(out, "# TYPE slicebroker_lease_rejections_total counter");
        for (reason, n) in self.rejections.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "slicebroker_lease_rejections_total{{reason=\"{reason}\"}} {n}"
            );
        }
        let batches = self.batches.lock().expect("metrics lock");
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
            let _ = writeln!(out, "# HELP slicebroker_group_commit_{name}_total {help}");
            let _ = writeln!(out, "# TYPE slicebroker_group_commit_{name}_total counter");
            for (kind, n) in batches.iter() {
                let _ = writeln!(
                    out,
                    "slicebroker_group_commit_{name}_total{{kind=\"{kind}\"}} {}",
                    n[i]
                );
            }
        }
        drop(batches);
        let _ = writeln!(
            out,
            "# HELP slicebroker_http_request_duration_seconds Request latency by route and status."
        );
        let _ = writeln!(
            out,
            "# TYPE slicebroker_http_request_duration_seconds summary"
        );
        for ((route, status), (n, sum)) in self.requests.lock().expect("metrics lock").iter() {
            let _ = writeln!(
                out,
                "slicebroker_http_request_duration_seconds_count{{route=\"{route}\",status=\"{status}\"}} {n}"
            );
            let _ = writeln!(
                out,
                "slicebroker_http_request_duration_seconds_sum{{route=\"{route}\",status=\"{status}\"}} {sum}"
            );
        }
    }
}

/// Whether the database answers (the readiness probe).
pub async fn ready(app: &super::App) -> Result<(), super::Error> {
    crate::store::ping(app.db())
        .await
        .map_err(|_| super::Error::Unavailable("the database does not answer".into()))
}

/// The whole `/metrics` page: the process's counters, leases by state and free capacity.
pub async fn exposition(app: &super::App) -> Result<String, super::Error> {
    use std::fmt::Write;
    let mut out = String::new();
    app.metrics().render(&mut out);
    let _ = writeln!(out, "# HELP slicebroker_leases Leases by state.");
    let _ = writeln!(out, "# TYPE slicebroker_leases gauge");
    for (state, n) in crate::store::leases::count_by_state(app.db()).await? {
        let _ = writeln!(out, "slicebroker_leases{{state=\"{state}\"}} {n}");
    }
    let _ = writeln!(
        out,
        "# HELP slicebroker_free_capacity Instances of each profile that fit now, per model."
    );
    let _ = writeln!(out, "# TYPE slicebroker_free_capacity gauge");
    for c in super::fleet::capacity(app) {
        let _ = writeln!(
            out,
            "slicebroker_free_capacity{{model=\"{}\",profile=\"{}\"}} {}",
            c.model, c.profile, c.available
        );
    }
    Ok(out)
}
