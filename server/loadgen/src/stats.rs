//! Outcomes of requests and the report: throughput, latency percentiles, non-2xx by status.

use slicebroker_client::{ClientError, Response};
use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Create,
    Release,
}

/// One request: what it was, how long it took, and its status (0: no response).
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    pub kind: Kind,
    pub latency: Duration,
    pub status: u16,
}

impl Outcome {
    fn new(kind: Kind, started: Instant, r: &Result<Response, ClientError>) -> Self {
        Self {
            kind,
            latency: started.elapsed(),
            status: r.as_ref().map_or(0, |r| r.status.as_u16()),
        }
    }

    pub fn create(started: Instant, r: &Result<Response, ClientError>) -> Self {
        Self::new(Kind::Create, started, r)
    }

    pub fn release(started: Instant, r: &Result<Response, ClientError>) -> Self {
        Self::new(Kind::Release, started, r)
    }
}

/// One agent request: how long it took and whether it succeeded.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub latency: Duration,
    pub ok: bool,
}

impl Sample {
    pub fn new(started: Instant, ok: bool) -> Self {
        Self {
            latency: started.elapsed(),
            ok,
        }
    }
}

/// The virtual agents' side of a run: reports (latency) and long-polls (held by design, so
/// only their failures count).
pub fn agent_summary(reports: &[Sample], polls: &[Sample], seconds: f64) -> String {
    let l = Latency::of(reports.iter().map(|s| s.latency).collect());
    let failed = |v: &[Sample]| v.iter().filter(|s| !s.ok).count();
    format!(
        "reports  n={:<7} {:.0}/s  p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms\n\
         agent failures: {} reports, {} of {} long-polls\n",
        l.count,
        l.count as f64 / seconds,
        l.p50,
        l.p90,
        l.p99,
        l.max,
        failed(reports),
        failed(polls),
        polls.len()
    )
}

/// Latency percentiles of one kind of request, in milliseconds.
#[derive(Debug)]
pub struct Latency {
    pub count: usize,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Latency {
    /// Nearest-rank percentiles of `samples`, in milliseconds.
    pub fn of(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let at = |q: f64| {
            if samples.is_empty() {
                return 0.0;
            }
            // Nearest rank.
            let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
            ms(samples[rank - 1])
        };
        Self {
            count: samples.len(),
            p50: at(0.50),
            p90: at(0.90),
            p99: at(0.99),
            max: samples.last().copied().map_or(0.0, ms),
        }
    }
}

#[derive(Debug)]
pub struct Report {
    seconds: f64,
    grants: usize,
    create: Latency,
    release: Latency,
    /// (kind, status) → count, for everything that was not 2xx.
    failures: BTreeMap<(&'static str, u16), usize>,
}

impl Report {
    pub fn new(outcomes: &[Outcome], seconds: f64) -> Self {
        let latencies = |kind| {
            Latency::of(
                outcomes
                    .iter()
                    .filter(|o| o.kind == kind)
                    .map(|o| o.latency)
                    .collect(),
            )
        };
        let mut failures = BTreeMap::new();
        for o in outcomes.iter().filter(|o| !(200..300).contains(&o.status)) {
            let kind = match o.kind {
                Kind::Create => "create",
                Kind::Release => "release",
            };
            *failures.entry((kind, o.status)).or_default() += 1;
        }
        Self {
            seconds,
            grants: outcomes
                .iter()
                .filter(|o| o.kind == Kind::Create && o.status == 201)
                .count(),
            create: latencies(Kind::Create),
            release: latencies(Kind::Release),
            failures,
        }
    }

    pub fn grants_per_second(&self) -> f64 {
        self.grants as f64 / self.seconds
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "grants: {} in {:.1}s = {:.0} grants/s",
            self.grants,
            self.seconds,
            self.grants as f64 / self.seconds
        )?;
        for (name, l) in [("create", &self.create), ("release", &self.release)] {
            writeln!(
                f,
                "{name:<8} n={:<7} p50 {:>6.2} ms  p90 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms",
                l.count, l.p50, l.p90, l.p99, l.max
            )?;
        }
        if self.failures.is_empty() {
            writeln!(f, "non-2xx: none")
        } else {
            let list: Vec<String> = self
                .failures
                .iter()
                .map(|((kind, status), n)| match status {
                    0 => format!("{kind} no response: {n}"),
                    s => format!("{kind} {s}: {n}"),
                })
                .collect();
            writeln!(f, "non-2xx: {}", list.join(", "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let l = Latency::of((1..=100).map(Duration::from_millis).collect());
        assert_eq!((l.p50, l.p90, l.p99, l.max), (50.0, 90.0, 99.0, 100.0));
        assert_eq!(Latency::of(Vec::new()).count, 0);
    }
}
