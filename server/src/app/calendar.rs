//! The capacity calendar (`GET /v1/capacity/calendar`): when a profile can be booked, per GPU
//! model, from the placement index's windows (bookings and what runs now). Like
//! `/v1/capacity`, a guide that reserves nothing: a booking is decided when it is made. The
//! counting is the placement crate's (`Fleet::timeline`, `Fleet::earliest_free`): one pass
//! over the model's GPUs and their own windows per request.

use super::{App, Error};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use slicebroker_types::api::{CalendarInterval, CapacityCalendar};
use slicebroker_types::{GpuModel, ModelId, ProfileIdx, SliceShape, limits};

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
    let ahead = limits::add_seconds(now, limits::MAX_DURATION_SECONDS);
    if let Some(from) = q.from
        && ahead.is_none_or(|max| from >= max)
    {
        return Err(Error::invalid("from", "at most 366 days ahead"));
    }
    let from = q.from.unwrap_or(now).max(now);
    let to = match (q.to, ahead) {
        (Some(to), _) => to,
        // The default span stops where calendars stop (366 days ahead).
        (None, Some(max)) => (from + Duration::seconds(DEFAULT_SPAN_SECONDS)).min(max),
        (None, None) => from + Duration::seconds(DEFAULT_SPAN_SECONDS),
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
    if ahead.is_none_or(|max| to > max) {
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
    let index = app.index();
    let (from_s, to_s) = (from.timestamp(), to.timestamp());
    Ok(models
        .into_iter()
        .filter(|(m, _)| index.has_schedulable(*m))
        .map(|(m, p)| CapacityCalendar {
            model: GpuModel::get(m).key.to_owned(),
            profile: q.profile.clone(),
            intervals: index
                .timeline(m, p, (from_s, to_s))
                .into_iter()
                .map(|(a, b, n)| CalendarInterval {
                    from: at(a),
                    to: at(b),
                    available: n,
                })
                .collect(),
            earliest_start: q
                .duration
                .and_then(|d| {
                    let shape = SliceShape {
                        model: m,
                        profile: p,
                    };
                    index.earliest_free(&[shape], (from_s, to_s), d)
                })
                .map(at),
        })
        .collect())
}

/// The earliest start at or after `from`, within [`MAX_SPAN_SECONDS`], at which one slice of
/// any of `shapes` is free for `duration` seconds on a GPU placed on; `None` if there is none.
pub fn earliest_start(
    app: &App,
    shapes: &[SliceShape],
    from: DateTime<Utc>,
    duration: i64,
) -> Option<DateTime<Utc>> {
    let from_s = from.timestamp();
    app.index()
        .earliest_free(shapes, (from_s, from_s + MAX_SPAN_SECONDS), duration)
        .map(at)
}

/// How many slices of `shapes` are free together for `duration` seconds from `from`, and the
/// earliest start within [`MAX_SPAN_SECONDS`] at which `count` of them are.
pub fn free_together(
    app: &App,
    shapes: &[SliceShape],
    count: u32,
    from: DateTime<Utc>,
    duration: i64,
) -> (u32, Option<DateTime<Utc>>) {
    let from_s = from.timestamp();
    let counts = app
        .index()
        .free_together(shapes, (from_s, from_s + MAX_SPAN_SECONDS), duration);
    let now = counts.first().map_or(0, |&(_, n)| n);
    let fits = counts
        .iter()
        .find(|&&(_, n)| n >= count)
        .map(|&(t, _)| at(t));
    (now, fits)
}

fn at(t: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}
