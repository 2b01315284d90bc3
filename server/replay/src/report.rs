//! What a replay reports per policy: JSON for scripts, a table for people.

use crate::sim::Outcome;
use serde::Serialize;
use slicebroker_placement::Policy;
use std::collections::BTreeMap;
use std::fmt::Write;

#[derive(Clone, Debug, Serialize)]
pub struct PolicyReport {
    pub policy: &'static str,
    /// On-demand requests (bookings are counted under `bookings`).
    pub requests: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub rejected_by_size: BTreeMap<String, u64>,
    pub acceptance_ratio: f64,
    /// All work accepted, on-demand and booked.
    pub compute_slice_hours_granted: f64,
    pub allocated_compute_share: f64,
    pub large_profile_ready_share: BTreeMap<String, f64>,
    pub decision_us_p50: f64,
    pub decision_us_p99: f64,
    /// Present with `--queue`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait: Option<WaitReport>,
    /// Present when the trace holds bookings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bookings: Option<BookingReport>,
}

/// A trace with bookings, and the same trace replayed with them dropped.
#[derive(Clone, Debug, Serialize)]
pub struct BookingReport {
    pub requested: u64,
    pub accepted: u64,
    pub refused: u64,
    pub honoured: u64,
    pub not_honoured: u64,
    /// Honoured share of the accepted bookings (1 when none was accepted): must be 1.
    pub honoured_ratio: f64,
    pub compute_slice_hours_booked: f64,
    pub compute_slice_hours_on_demand: f64,
    pub decision_us_p50: f64,
    pub decision_us_p99: f64,
    /// The same trace without its booking rows: on-demand acceptance and work then.
    pub without_bookings_acceptance_ratio: f64,
    pub without_bookings_compute_slice_hours: f64,
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
            bookings: None,
        }
    }

    /// Adds the booking figures: `out` replayed the trace with its bookings, `without` the
    /// same trace with them dropped.
    pub fn with_bookings(mut self, out: &Outcome, without: &Outcome) -> Self {
        let b = &out.bookings;
        let us: Vec<f64> = b.decision_ns.iter().map(|&ns| ns as f64 / 1000.0).collect();
        self.bookings = Some(BookingReport {
            requested: b.requested,
            accepted: b.accepted,
            refused: b.refused,
            honoured: b.honoured,
            not_honoured: b.not_honoured,
            honoured_ratio: ratio(b.honoured, b.accepted, 1.0),
            compute_slice_hours_booked: b.compute_slice_hours,
            compute_slice_hours_on_demand: out.compute_slice_hours_granted - b.compute_slice_hours,
            decision_us_p50: quantile(&us, 0.5),
            decision_us_p99: quantile(&us, 0.99),
            without_bookings_acceptance_ratio: ratio(without.accepted, without.requests, 0.0),
            without_bookings_compute_slice_hours: without.compute_slice_hours_granted,
        });
        self
    }
}

fn ratio(part: u64, whole: u64, empty: f64) -> f64 {
    if whole == 0 {
        empty
    } else {
        part as f64 / whole as f64
    }
}

/// The booking figures as a text table, one row per policy (empty when no report has any).
pub fn booking_table(reports: &[PolicyReport]) -> String {
    let header = [
        "policy",
        "bookings",
        "booked",
        "refused",
        "honoured %",
        "on-demand accept %",
        "without bookings %",
        "on-demand compute-slice-hours",
        "booked compute-slice-hours",
        "without bookings compute-slice-hours",
        "booking p50 µs",
        "booking p99 µs",
    ];
    let pct = |x: f64| format!("{:.1}", 100.0 * x);
    let rows: Vec<Vec<String>> = reports
        .iter()
        .filter_map(|r| {
            let b = r.bookings.as_ref()?;
            Some(vec![
                r.policy.to_owned(),
                b.requested.to_string(),
                b.accepted.to_string(),
                b.refused.to_string(),
                pct(b.honoured_ratio),
                pct(r.acceptance_ratio),
                pct(b.without_bookings_acceptance_ratio),
                format!("{:.0}", b.compute_slice_hours_on_demand),
                format!("{:.0}", b.compute_slice_hours_booked),
                format!("{:.0}", b.without_bookings_compute_slice_hours),
                format!("{:.1}", b.decision_us_p50),
                format!("{:.1}", b.decision_us_p99),
            ])
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    aligned(&header, rows)
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
    aligned(&header, rows)
}

/// `header` and `rows` as a Markdown table with aligned columns.
fn aligned(header: &[&str], rows: Vec<Vec<String>>) -> String {
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
