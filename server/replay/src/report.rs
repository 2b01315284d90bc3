//! What a replay reports per policy: JSON for scripts, a table for people.

use crate::sim::Outcome;
use serde::Serialize;
use slicebroker_placement::Policy;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Clone, Debug, Serialize)]
pub struct PolicyReport {
    pub policy: &'static str,
    pub requests: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub rejected_by_size: BTreeMap<String, u64>,
    pub acceptance_ratio: f64,
    pub compute_slice_hours_granted: f64,
    pub allocated_compute_share: f64,
    pub large_profile_ready_share: BTreeMap<String, f64>,
    pub decision_us_p50: f64,
    pub decision_us_p99: f64,
    /// Present with `--queue`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait: Option<WaitReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct WaitReport {
    pub waited: u64,
    pub wait_s_mean: f64,
    pub wait_s_p50: f64,
    pub wait_s_p99: f64,
}

/// The `q`-quantile (0..=1) of `values`, nearest rank; 0 when empty.
pub fn quantile<T: Copy + PartialOrd + Into<f64>>(values: &[T], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].into()
}

impl PolicyReport {
    pub fn new(policy: Policy, out: &Outcome, queue: bool) -> Self {
        let decision_us: Vec<f64> = out
            .decision_ns
            .iter()
            .map(|&ns| ns as f64 / 1000.0)
            .collect();
        let wait = queue.then(|| WaitReport {
            waited: out.waits_s.iter().filter(|&&w| w > 0.0).count() as u64,
            wait_s_mean: if out.waits_s.is_empty() {
                0.0
            } else {
                out.waits_s.iter().sum::<f64>() / out.waits_s.len() as f64
            },
            wait_s_p50: quantile(&out.waits_s, 0.5),
            wait_s_p99: quantile(&out.waits_s, 0.99),
        });
        Self {
            policy: policy.name(),
            requests: out.requests,
            accepted: out.accepted,
            rejected: out.rejected,
            rejected_by_size: out.rejected_by_size.clone(),
            acceptance_ratio: if out.requests == 0 {
                0.0
            } else {
                out.accepted as f64 / out.requests as f64
            },
            compute_slice_hours_granted: out.compute_slice_hours_granted,
            allocated_compute_share: out.allocated_compute_share,
            large_profile_ready_share: out.large_profile_ready_share.clone(),
            decision_us_p50: quantile(&decision_us, 0.5),
            decision_us_p99: quantile(&decision_us, 0.99),
            wait,
        }
    }
}

/// The reports as an aligned text table, one row per policy.
pub fn table(reports: &[PolicyReport]) -> String {
    let queue = reports.iter().any(|r| r.wait.is_some());
    let mut header = vec![
        "policy",
        "requests",
        "accepted",
        "rejected",
        "accept %",
        "rejected by size",
        "compute-slice-hours",
        "alloc %",
        "7g ready %",
        "4g ready %",
        "3g ready %",
        "p50 µs",
        "p99 µs",
    ];
    if queue {
        header.extend(["waited", "wait p50 s", "wait p99 s"]);
    }
    let pct = |x: f64| format!("{:.1}", 100.0 * x);
    let rows: Vec<Vec<String>> = reports
        .iter()
        .map(|r| {
            let by_size = r
                .rejected_by_size
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>();
            let ready = |s: &str| {
                r.large_profile_ready_share
                    .get(s)
                    .map_or("-".into(), |&x| pct(x))
            };
            let mut row = vec![
                r.policy.to_owned(),
                r.requests.to_string(),
                r.accepted.to_string(),
                r.rejected.to_string(),
                pct(r.acceptance_ratio),
                if by_size.is_empty() {
                    "-".into()
                } else {
                    by_size.join(" ")
                },
                format!("{:.0}", r.compute_slice_hours_granted),
                pct(r.allocated_compute_share),
                ready("7g"),
                ready("4g"),
                ready("3g"),
                format!("{:.1}", r.decision_us_p50),
                format!("{:.1}", r.decision_us_p99),
            ];
            if let Some(w) = &r.wait {
                row.extend([
                    w.waited.to_string(),
                    format!("{:.0}", w.wait_s_p50),
                    format!("{:.0}", w.wait_s_p99),
                ]);
            }
            row
        })
        .collect();
    let widths: Vec<usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([h.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        let _ = writeln!(out, "| {} |", padded.join(" | "));
    };
    line(header.iter().map(|h| (*h).to_owned()).collect(), &mut out);
    line(widths.iter().map(|w| "-".repeat(*w)).collect(), &mut out);
    for row in rows {
        line(row, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_the_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(
            (quantile(&v, 0.5), quantile(&v, 0.99), quantile(&v, 1.0)),
            (50.0, 99.0, 100.0)
        );
        assert_eq!(quantile::<f64>(&[], 0.5), 0.0);
    }

    #[test]
    fn the_table_has_a_row_per_policy_with_aligned_columns() {
        let mut out = Outcome {
            requests: 4,
            accepted: 3,
            rejected: 1,
            ..Outcome::default()
        };
        out.rejected_by_size.insert("7g".into(), 1);
        out.large_profile_ready_share.insert("7g".into(), 0.25);
        let text = table(&[
            PolicyReport::new(Policy::Default, &out, false),
            PolicyReport::new(Policy::FirstFit, &out, false),
        ]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[2].starts_with("| default "), "{}", lines[2]);
        assert!(
            lines[2].contains("| 75.0 ")
                && lines[2].contains("| 7g:1 ")
                && lines[2].contains("| 25.0 ")
        );
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() == lines[0].chars().count())
        );
    }
}
