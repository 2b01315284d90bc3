//! The monthly budget: how many compute-slice-hours a tenant may commit in one UTC calendar
//! month. Time is counted as `GET /v1/usage` counts it (compute slices × time held, from grant
//! to release), except that a live slice counts up to its lease's committed end rather than up
//! to now: that time is promised, so it is spent. A booking counts from its start, charged
//! when booked and refunded by cancelling it (its slice is then released before it starts).
//! Time past the month's end belongs to the next month: a booking or an extension that reaches
//! into later months is charged to each of them for its time there. Amounts are whole compute-slice-seconds, so the arithmetic is exact.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::fmt;

/// One UTC calendar month, `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Month {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Month {
    pub fn containing(t: DateTime<Utc>) -> Self {
        let first = |y: i32, m: u32| {
            NaiveDate::from_ymd_opt(y, m, 1)
                .expect("the first of a month exists")
                .and_hms_opt(0, 0, 0)
                .expect("midnight exists")
                .and_utc()
        };
        let (y, m) = (t.year(), t.month());
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        Self {
            start: first(y, m),
            end: first(ny, nm),
        }
    }

    /// Whole seconds of `[from, to)` that fall inside the month (0 if none).
    pub fn overlap_seconds(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        let (lo, hi) = (from.max(self.start), to.min(self.end));
        (hi - lo).num_seconds().max(0)
    }
}

/// What this month's budget would have to cover for holding `compute_slices` from `from` to
/// `to`, in compute-slice-seconds.
pub fn cost(month: Month, compute_slices: i64, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    compute_slices.saturating_mul(month.overlap_seconds(from, to))
}

/// A request the budget cannot cover; `Display` says by how much, in hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exceeded {
    pub budget_hours: i64,
    /// Compute-slice-seconds already committed this month.
    pub used: i64,
    /// Compute-slice-seconds the request would add.
    pub wanted: i64,
}

impl fmt::Display for Exceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hours = |s: i64| s as f64 / 3600.0;
        write!(
            f,
            "this request needs {:.2} compute-slice-hours in that month; the tenant has committed \
             {:.2} of its {} there (usage so far plus the booked time of live leases and \
             bookings)",
            hours(self.wanted),
            hours(self.used),
            self.budget_hours
        )
    }
}

/// Accepts `wanted` more compute-slice-seconds if they fit, with `used` already committed, in
/// a budget of `budget_hours`. A request that costs nothing this month always fits.
pub fn check(budget_hours: i64, used: i64, wanted: i64) -> Result<(), Exceeded> {
    if wanted > 0 && used.saturating_add(wanted) > budget_hours.saturating_mul(3600) {
        return Err(Exceeded {
            budget_hours,
            used,
            wanted,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn months_run_from_the_first_to_the_next_first_across_years() {
        let m = Month::containing(at("2025-12-31T23:59:59Z"));
        assert_eq!(m.start, at("2025-12-01T00:00:00Z"));
        assert_eq!(m.end, at("2026-01-01T00:00:00Z"));
        let m = Month::containing(at("2024-02-29T12:00:00Z"));
        assert_eq!((m.end - m.start).num_days(), 29);
    }

    #[test]
    fn only_the_part_inside_the_month_costs() {
        let m = Month::containing(at("2025-06-30T20:00:00Z"));
        // 4h left in June; a 10h lease of 3 compute slices costs June 12 slice-hours.
        let c = cost(m, 3, at("2025-06-30T20:00:00Z"), at("2025-07-01T06:00:00Z"));
        assert_eq!(c, 3 * 4 * 3600);
        assert_eq!(
            cost(m, 3, at("2025-07-01T00:00:00Z"), at("2025-07-02T00:00:00Z")),
            0
        );
    }

    #[test]
    fn the_budget_is_inclusive_and_free_requests_always_pass() {
        assert!(check(10, 9 * 3600, 3600).is_ok());
        let e = check(10, 9 * 3600, 3601).unwrap_err();
        assert_eq!(e.used + e.wanted, 10 * 3600 + 1);
        assert!(e.to_string().contains("of its 10"), "{e}");
        assert!(check(0, 50, 0).is_ok());
        assert!(check(0, 0, 1).is_err());
    }
}
