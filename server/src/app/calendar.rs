//! The capacity calendar (`GET /v1/capacity/calendar`): when a profile can be booked, per GPU
//! model, from the placement index's windows (bookings and what runs now). Like
//! `/v1/capacity`, a guide that reserves nothing: a booking is decided when it is made.

use super::placement::GpuWindows;
use super::{App, Error};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use slicebroker_types::api::{CalendarInterval, CapacityCalendar};
use slicebroker_types::geometry::Occupancy;
use slicebroker_types::{GpuModel, ModelId, ProfileIdx, limits};
use std::collections::BTreeSet;

/// Longest span one calendar covers (31 days), and its default (7 days).
pub const MAX_SPAN_SECONDS: i64 = 31 * 86_400;
pub const DEFAULT_SPAN_SECONDS: i64 = 7 * 86_400;

/// A calendar request, as the query gives it.
#[derive(Debug)]
pub struct CalendarQuery {
    pub profile: String,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Seconds, for `earliest_start`.
    pub duration: Option<i64>,
}

pub fn capacity_calendar(app: &App, q: CalendarQuery) -> Result<Vec<CapacityCalendar>, Error> {
    if q.profile.is_empty() || q.profile.len() > 64 {
        return Err(Error::invalid("profile", "1-64 characters"));
    }
    let now = Utc::now().trunc_subsecs(0);
    let from = q.from.unwrap_or(now).max(now);
    let to = match q.to {
        Some(to) => to,
        None => from + Duration::seconds(DEFAULT_SPAN_SECONDS),
    };
    if to <= from {
        return Err(Error::invalid(
            "to",
            "must be later than `from` and than now",
        ));
    }
    if (to - from).num_seconds() > MAX_SPAN_SECONDS {
        return Err(Error::invalid("to", "at most 31 days after `from`"));
    }
    if limits::add_seconds(now, limits::MAX_DURATION_SECONDS).is_none_or(|max| to > max) {
        return Err(Error::invalid("to", "at most 366 days ahead"));
    }
    if let Some(d) = q.duration {
        limits::duration(d).map_err(|reason| Error::invalid("duration", reason))?;
    }
    let models: Vec<(ModelId, ProfileIdx)> = GpuModel::all()
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let id = ModelId(i as u8);
            m.profile_by_name(&q.profile).map(|p| (id, p))
        })
        .collect();
    if models.is_empty() {
        return Err(Error::invalid(
            "profile",
            format!("`{}` is no profile of any GPU model", q.profile),
        ));
    }
    let gpus = app.index().windows();
    Ok(models
        .into_iter()
        .filter(|(m, _)| gpus.iter().any(|g| g.model == *m && g.schedulable))
        .map(|(m, p)| {
            let on: Vec<&GpuWindows> = gpus
                .iter()
                .filter(|g| g.model == m && g.schedulable)
                .collect();
            let (from_s, to_s) = (from.timestamp(), to.timestamp());
            CapacityCalendar {
                model: GpuModel::get(m).key.to_owned(),
                profile: q.profile.clone(),
                intervals: intervals(&on, m, p, from_s, to_s)
                    .into_iter()
                    .map(|(a, b, n)| CalendarInterval {
                        from: at(a),
                        to: at(b),
                        available: n,
                    })
                    .collect(),
                earliest_start: q
                    .duration
                    .and_then(|d| earliest(&on, m, p, from_s, to_s, d))
                    .map(at),
            }
        })
        .collect())
}

/// The earliest start at or after `from`, within [`MAX_SPAN_SECONDS`], at which one slice of
/// any of `shapes` is free for `duration` seconds on a GPU placed on; `None` if there is none.
pub fn earliest_start(
    app: &App,
    shapes: &[slicebroker_types::SliceShape],
    from: DateTime<Utc>,
    duration: i64,
) -> Option<DateTime<Utc>> {
    let gpus = app.index().windows();
    let (from_s, to_s) = (from.timestamp(), from.timestamp() + MAX_SPAN_SECONDS);
    shapes
        .iter()
        .filter_map(|s| {
            let on: Vec<&GpuWindows> = gpus
                .iter()
                .filter(|g| g.model == s.model && g.schedulable)
                .collect();
            earliest(&on, s.model, s.profile, from_s, to_s, duration)
        })
        .min()
        .map(at)
}

fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

/// How the GPU is occupied by the slices whose windows overlap `[a, b)`. Slices that cannot
/// all be there at once (they never overlap in time and memory; a stale index might say so)
/// are skipped.
fn occupancy(g: &GpuWindows, model: ModelId, a: i64, b: i64) -> Occupancy {
    let mut occ = Occupancy::empty(model);
    for &(profile, start, s, e) in &g.slices {
        if s < b && e > a {
            let _ = occ.add(profile, start);
        }
    }
    occ
}

/// The times in `(from, to)` at which some slice's window begins or ends.
fn breakpoints(gpus: &[&GpuWindows], from: i64, to: i64) -> Vec<i64> {
    let mut at: BTreeSet<i64> = [from, to].into();
    for g in gpus {
        for &(_, _, s, e) in &g.slices {
            for t in [s, e] {
                if t > from && t < to {
                    at.insert(t);
                }
            }
        }
    }
    at.into_iter().collect()
}

/// `[from, to)` cut where the count of `profile` that fits changes.
fn intervals(
    gpus: &[&GpuWindows],
    model: ModelId,
    profile: ProfileIdx,
    from: i64,
    to: i64,
) -> Vec<(i64, i64, u32)> {
    let mut out: Vec<(i64, i64, u32)> = Vec::new();
    for w in breakpoints(gpus, from, to).windows(2) {
        let (a, b) = (w[0], w[1]);
        let n = gpus
            .iter()
            .map(|g| u32::from(occupancy(g, model, a, b).remaining_capacity(profile)))
            .sum();
        match out.last_mut() {
            Some(last) if last.2 == n => last.1 = b,
            _ => out.push((a, b, n)),
        }
    }
    out
}

/// The earliest start in `[from, to)` at which one instance of `profile` is free on some GPU
/// for `duration` seconds. Availability only grows when a window ends, so the candidates are
/// `from` and those ends.
fn earliest(
    gpus: &[&GpuWindows],
    model: ModelId,
    profile: ProfileIdx,
    from: i64,
    to: i64,
    duration: i64,
) -> Option<i64> {
    breakpoints(gpus, from, to)
        .into_iter()
        .filter(|&t| t < to)
        .find(|&t| {
            gpus.iter()
                .any(|g| free_during(g, model, profile, t, t.saturating_add(duration)))
        })
}

/// Whether one placement of `profile` on the GPU is free at every instant of `[a, b)`: checked
/// in each stretch between the GPU's window boundaries, since slices that follow each other
/// on the same memory slices cannot be laid on one occupancy together.
fn free_during(g: &GpuWindows, model: ModelId, profile: ProfileIdx, a: i64, b: i64) -> bool {
    let cuts = breakpoints(&[g], a, b);
    GpuModel::get(model)
        .profile(profile)
        .placements
        .iter()
        .any(|pl| {
            cuts.windows(2)
                .all(|w| occupancy(g, model, w[0], w[1]).fits(profile, pl.start))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h100() -> (ModelId, ProfileIdx, ProfileIdx) {
        let m = GpuModel::find("h100-80gb").unwrap();
        let model = GpuModel::get(m);
        (
            m,
            model.profile_by_name("7g.80gb").unwrap(),
            model.profile_by_name("3g.40gb").unwrap(),
        )
    }

    #[test]
    fn a_booking_shows_as_a_gap_and_the_earliest_start_waits_for_it() {
        let (m, whole, half) = h100();
        // One GPU, booked whole for [100, 200).
        let g = GpuWindows {
            model: m,
            schedulable: true,
            slices: vec![(whole, 0, 100, 200)],
        };
        let on = [&g];
        assert_eq!(
            intervals(&on, m, half, 0, 300),
            vec![(0, 100, 2), (100, 200, 0), (200, 300, 2)]
        );
        assert_eq!(earliest(&on, m, half, 0, 300, 50), Some(0));
        assert_eq!(earliest(&on, m, half, 0, 300, 150), Some(200));
        assert_eq!(
            earliest(&on, m, half, 0, 250, 150),
            Some(200),
            "starts before `to`"
        );
        assert_eq!(earliest(&on, m, half, 0, 150, 150), None);
    }

    #[test]
    fn slices_that_follow_each_other_on_the_same_memory_all_count() {
        let (m, whole, half) = h100();
        let model = GpuModel::get(m);
        let one = model.profile_by_name("1g.10gb").unwrap();
        // A 1g.10gb at memory slice 0 now, then the whole GPU booked from 100.
        let g = GpuWindows {
            model: m,
            schedulable: true,
            slices: vec![(one, 0, 0, 50), (whole, 0, 100, 200)],
        };
        let on = [&g];
        assert_eq!(earliest(&on, m, one, 0, 300, 150), Some(200));
        assert_eq!(earliest(&on, m, half, 0, 300, 80), Some(0));
    }
}
