//! The trace format: CSV with a header naming `request_id,arrival_s,duration_s,profile,gpu_model`
//! (any column order; `gpu_model` may be empty), and optionally `booked_s`: when a booking was
//! made, with `arrival_s` then its start (an empty cell, or no such column, is an on-demand
//! request arriving at `arrival_s`). Bad rows are reported with their line number and skipped,
//! never dropped silently.

use slicebroker_types::{GpuModel, ModelId, ProfileRequest};
use std::fmt;

pub const COLUMNS: [&str; 5] = [
    "request_id",
    "arrival_s",
    "duration_s",
    "profile",
    "gpu_model",
];

/// The optional column that makes a row a booking.
pub const BOOKED_COLUMN: &str = "booked_s";

#[derive(Clone, Debug, PartialEq)]
pub struct TraceRequest {
    pub line: usize,
    pub id: String,
    pub arrival_s: f64,
    pub duration_s: f64,
    pub profile: ProfileRequest,
    pub gpu_model: Option<ModelId>,
    /// When the booking was made (a booking starts at `arrival_s`); `None` for on-demand.
    pub booked_s: Option<f64>,
}

impl TraceRequest {
    /// When the broker decides on it: at booking time for a booking, else at arrival.
    pub fn decided_s(&self) -> f64 {
        self.booked_s.unwrap_or(self.arrival_s)
    }
}

/// A row that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    #[error("the trace is empty; its first line must be the header {}", COLUMNS.join(","))]
    Empty,
    #[error("line 1: header lacks column `{0}`; expected {cols}", cols = COLUMNS.join(","))]
    MissingColumn(&'static str),
}

#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// Requests sorted by arrival (then line).
    pub requests: Vec<TraceRequest>,
    pub errors: Vec<RowError>,
}

impl Trace {
    pub fn parse(text: &str) -> Result<Self, TraceError> {
        let mut lines = text
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim_end_matches('\r')));
        let (_, header) = lines
            .find(|(_, l)| !l.trim().is_empty())
            .ok_or(TraceError::Empty)?;
        let names: Vec<&str> = header.split(',').map(str::trim).collect();
        let mut index = [0usize; 5];
        for (slot, col) in index.iter_mut().zip(COLUMNS) {
            *slot = names
                .iter()
                .position(|n| *n == col)
                .ok_or(TraceError::MissingColumn(col))?;
        }
        let booked = names.iter().position(|n| *n == BOOKED_COLUMN);
        let mut trace = Trace::default();
        for (line, text) in lines {
            if text.trim().is_empty() {
                continue;
            }
            match parse_row(text, &index, booked, names.len()) {
                Ok((id, arrival_s, duration_s, profile, gpu_model, booked_s)) => {
                    trace.requests.push(TraceRequest {
                        line,
                        id,
                        arrival_s,
                        duration_s,
                        profile,
                        gpu_model,
                        booked_s,
                    })
                }
                Err(reason) => trace.errors.push(RowError { line, reason }),
            }
        }
        trace.requests.sort_by(|a, b| {
            a.arrival_s
                .total_cmp(&b.arrival_s)
                .then(a.line.cmp(&b.line))
        });
        Ok(trace)
    }

    /// Rows that are bookings.
    pub fn bookings(&self) -> usize {
        self.requests
            .iter()
            .filter(|r| r.booked_s.is_some())
            .count()
    }

    /// The same trace with its bookings dropped: what on-demand requests meet without them.
    pub fn without_bookings(&self) -> Self {
        Self {
            requests: self
                .requests
                .iter()
                .filter(|r| r.booked_s.is_none())
                .cloned()
                .collect(),
            errors: self.errors.clone(),
        }
    }
}

type Row = (
    String,
    f64,
    f64,
    ProfileRequest,
    Option<ModelId>,
    Option<f64>,
);

fn parse_row(
    text: &str,
    index: &[usize; 5],
    booked: Option<usize>,
    width: usize,
) -> Result<Row, String> {
    let fields: Vec<&str> = text.split(',').map(str::trim).collect();
    if fields.len() != width {
        return Err(format!("expected {width} fields, found {}", fields.len()));
    }
    let [id, arrival, duration, profile, model] = index.map(|i| fields[i]);
    if id.is_empty() {
        return Err("request_id is empty".into());
    }
    let seconds = |name: &str, value: &str| -> Result<f64, String> {
        match value.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(format!(
                "{name} `{value}` is not a non-negative number of seconds"
            )),
        }
    };
    let arrival_s = seconds("arrival_s", arrival)?;
    let duration_s = seconds("duration_s", duration)?;
    if duration_s == 0.0 {
        return Err("duration_s must be greater than 0".into());
    }
    let profile = ProfileRequest::parse(profile).map_err(|e| e.to_string())?;
    let gpu_model = if model.is_empty() {
        None
    } else {
        Some(GpuModel::parse(model).map_err(|e| e.to_string())?)
    };
    // A profile that exists on no catalog model at all can never be served: the row is wrong.
    let scope: Vec<ModelId> = gpu_model.into_iter().collect();
    profile.resolve(&scope).map_err(|e| e.to_string())?;
    let booked_s = match booked.map(|i| fields[i]) {
        None | Some("") => None,
        Some(value) => {
            let booked_s = seconds(BOOKED_COLUMN, value)?;
            if booked_s > arrival_s {
                return Err(format!(
                    "booked_s `{value}` is after arrival_s `{arrival}`: a booking is made \
                     before (or when) it starts"
                ));
            }
            Some(booked_s)
        }
    };
    Ok((
        id.to_owned(),
        arrival_s,
        duration_s,
        profile,
        gpu_model,
        booked_s,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_in_any_order_are_sorted_by_arrival_and_bad_rows_reported_by_line() {
        let text = "profile,request_id,arrival_s,duration_s,gpu_model\n\
                    2g.20gb,b,20,3600,h100-80gb\n\
                    1g,a,10,60,\n\
                    9g,c,30,60,\n\
                    1g,d,-1,60,\n\
                    1g,e,5,0,\n\
                    1g,f,5,60,v100\n\
                    2g.20gb,g,5,60,a100-40gb\n\
                    1g,h,5\n\
                    \n\
                    3g,i,1.5,7200,\n";
        let t = Trace::parse(text).unwrap();
        let ids: Vec<&str> = t.requests.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["i", "a", "b"]);
        assert_eq!(t.requests[2].gpu_model, GpuModel::find("h100-80gb"));
        let errors: Vec<String> = t.errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 6);
        assert!(
            errors[0].starts_with("line 4: no 9g profile; valid sizes: 1g, 2g, 3g, 4g, 7g"),
            "{}",
            errors[0]
        );
        assert_eq!(
            errors[1],
            "line 5: arrival_s `-1` is not a non-negative number of seconds"
        );
        assert_eq!(errors[2], "line 6: duration_s must be greater than 0");
        assert!(errors[3].starts_with("line 7: unknown GPU model `v100`"));
        assert!(errors[4].starts_with("line 8: unknown profile `2g.20gb` on a100-40gb"));
        assert_eq!(errors[5], "line 9: expected 5 fields, found 3");
    }

    #[test]
    fn booked_s_is_optional_and_must_not_follow_the_start() {
        let text = "request_id,arrival_s,duration_s,profile,gpu_model,booked_s\n\
                    a,100,60,1g,,\n\
                    b,100,60,1g,,40\n\
                    c,100,60,1g,,100\n\
                    d,100,60,1g,,101\n\
                    e,100,60,1g,,x\n\
                    f,100,60,1g,,-5\n";
        let t = Trace::parse(text).unwrap();
        let rows: Vec<(&str, Option<f64>)> = t
            .requests
            .iter()
            .map(|r| (r.id.as_str(), r.booked_s))
            .collect();
        assert_eq!(rows, [("a", None), ("b", Some(40.0)), ("c", Some(100.0))]);
        assert_eq!(t.requests[1].decided_s(), 40.0);
        assert_eq!((t.bookings(), t.without_bookings().requests.len()), (2, 1));
        let errors: Vec<String> = t.errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            errors,
            [
                "line 5: booked_s `101` is after arrival_s `100`: a booking is made before \
                 (or when) it starts",
                "line 6: booked_s `x` is not a non-negative number of seconds",
                "line 7: booked_s `-5` is not a non-negative number of seconds",
            ]
        );
        // Without the column every row is on-demand, as before.
        let t = Trace::parse("request_id,arrival_s,duration_s,profile,gpu_model\na,1,60,1g,\n")
            .unwrap();
        assert_eq!((t.requests[0].booked_s, t.bookings()), (None, 0));
    }

    #[test]
    fn a_header_without_a_column_is_an_error() {
        assert_eq!(
            Trace::parse("request_id,arrival_s,profile\n").unwrap_err(),
            TraceError::MissingColumn("duration_s")
        );
        assert_eq!(Trace::parse("\n\n").unwrap_err(), TraceError::Empty);
    }
}
