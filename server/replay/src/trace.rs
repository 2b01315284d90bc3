//! The trace format: CSV with a header naming `request_id,arrival_s,duration_s,profile,gpu_model`
//! (any column order; `gpu_model` may be empty). Bad rows are reported with their line number
//! and skipped, never dropped silently.

use slicebroker_types::{GpuModel, ModelId, ProfileRequest};
use std::fmt;

pub const COLUMNS: [&str; 5] = [
    "request_id",
    "arrival_s",
    "duration_s",
    "profile",
    "gpu_model",
];

#[derive(Clone, Debug, PartialEq)]
pub struct TraceRequest {
    pub line: usize,
    pub id: String,
    pub arrival_s: f64,
    pub duration_s: f64,
    pub profile: ProfileRequest,
    pub gpu_model: Option<ModelId>,
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
        let mut trace = Trace::default();
        for (line, text) in lines {
            if text.trim().is_empty() {
                continue;
            }
            match parse_row(text, &index, names.len()) {
                Ok((id, arrival_s, duration_s, profile, gpu_model)) => {
                    trace.requests.push(TraceRequest {
                        line,
                        id,
                        arrival_s,
                        duration_s,
                        profile,
                        gpu_model,
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
}

type Row = (String, f64, f64, ProfileRequest, Option<ModelId>);

fn parse_row(text: &str, index: &[usize; 5], width: usize) -> Result<Row, String> {
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
    Ok((id.to_owned(), arrival_s, duration_s, profile, gpu_model))
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
    fn a_header_without_a_column_is_an_error() {
        assert_eq!(
            Trace::parse("request_id,arrival_s,profile\n").unwrap_err(),
            TraceError::MissingColumn("duration_s")
        );
        assert_eq!(Trace::parse("\n\n").unwrap_err(), TraceError::Empty);
    }
}
