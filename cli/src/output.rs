//! How results are shown: aligned tables and `key  value` blocks for people, the API's JSON for
//! scripts (`-o json`), ANSI colour only on a terminal without `NO_COLOR`, and durations, sizes
//! and times in human form.

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::io::{IsTerminal, Write};

/// `-o`: how to print results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables and text for people.
    #[default]
    Table,
    /// The API's own JSON, for scripts.
    Json,
}

/// ANSI colours used for states, letters of the fleet bars, and headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Red,
    Green,
    Yellow,
    Blue,
    Magenta,
    Cyan,
    Dim,
    Bold,
}

impl Color {
    fn code(self) -> &'static str {
        match self {
            Color::Red => "31",
            Color::Green => "32",
            Color::Yellow => "33",
            Color::Blue => "34",
            Color::Magenta => "35",
            Color::Cyan => "36",
            Color::Dim => "2",
            Color::Bold => "1",
        }
    }
}

/// Colours for telling things apart (leases and tenants in the fleet view), in order.
pub const PALETTE: [Color; 6] = [
    Color::Cyan,
    Color::Magenta,
    Color::Yellow,
    Color::Green,
    Color::Blue,
    Color::Red,
];

/// Whether to colour what goes to stdout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    pub color: bool,
}

impl Style {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset (or empty).
    pub fn detect() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self {
            color: !no_color && std::io::stdout().is_terminal(),
        }
    }

    pub fn paint(&self, text: &str, color: Option<Color>) -> String {
        match color {
            Some(c) if self.color => format!("\x1b[{}m{text}\x1b[0m", c.code()),
            _ => text.to_owned(),
        }
    }
}

/// One table cell: its text and, on a terminal, its colour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub color: Option<Color>,
}

impl Cell {
    pub fn colored(text: impl Into<String>, color: Option<Color>) -> Self {
        Self {
            text: text.into(),
            color,
        }
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Self {
        Self { text, color: None }
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Self {
        text.to_owned().into()
    }
}

/// Columns aligned on the widest cell, two spaces apart; the header in capitals.
#[derive(Debug, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(header: &[&str]) -> Self {
        Self {
            header: header.iter().map(|h| h.to_uppercase()).collect(),
            rows: Vec::new(),
        }
    }

    pub fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(cells);
    }

    pub fn render(&self, style: &Style) -> String {
        let cols = self.header.len();
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, c) in row.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(c.text.chars().count());
            }
        }
        let line = |cells: Vec<(&str, Option<Color>)>| {
            let last = cells.len().saturating_sub(1);
            let mut out = String::new();
            for (i, (text, color)) in cells.into_iter().enumerate() {
                out.push_str(&style.paint(text, color));
                if i < last {
                    let pad = widths[i] - text.chars().count() + 2;
                    out.extend(std::iter::repeat_n(' ', pad));
                }
            }
            out.push('\n');
            out
        };
        let mut out = line(
            self.header
                .iter()
                .map(|h| (h.as_str(), Some(Color::Bold)))
                .collect(),
        );
        for row in &self.rows {
            out.push_str(&line(
                row.iter()
                    .take(cols)
                    .map(|c| (c.text.as_str(), c.color))
                    .collect(),
            ));
        }
        out
    }
}

/// `key  value` lines, the keys aligned.
pub fn fields(pairs: &[(&str, String)]) -> String {
    let width = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    pairs
        .iter()
        .map(|(k, v)| format!("{k:<width$}  {v}\n"))
        .collect()
}

/// Writes to stdout. A reader that went away (`slicectl lease ls | head -1`) is not an error.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// `value` as pretty JSON with a final newline: what `-o json` shows.
pub fn json<T: Serialize + ?Sized>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("API types serialise");
    text.push('\n');
    text
}

/// A duration the way people write it, to the two largest units: `8h`, `1h30m`, `2d4h`, `45s`.
pub fn duration(secs: i64) -> String {
    if secs <= 0 {
        return "0s".into();
    }
    let units = [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)];
    let mut rest = secs;
    let mut parts = Vec::new();
    for (unit, size) in units {
        if rest >= size {
            parts.push(format!("{}{unit}", rest / size));
            rest %= size;
        } else if !parts.is_empty() {
            // Two adjacent units at most: `1d0h5m` reads worse than `1d`.
            break;
        }
        if parts.len() == 2 {
            break;
        }
    }
    parts.concat()
}

/// Memory in GiB: `20GiB`.
pub fn gib(gib: impl std::fmt::Display) -> String {
    format!("{gib}GiB")
}

/// A time relative to `now`: `in 7h59m`, `5m ago`, `now`.
pub fn relative(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let mut secs = (t - now).num_seconds();
    if secs.abs() >= 3600 {
        // Shown to the minute: round, so a lease of 8h granted a moment ago ends `in 8h`.
        secs = secs.signum() * ((secs.abs() + 30) / 60 * 60);
    }
    match secs {
        -1..=1 => "now".into(),
        s if s > 0 => format!("in {}", duration(s)),
        s => format!("{} ago", duration(-s)),
    }
}

/// An absolute time with the relative one beside it: `2026-05-01 12:00:00Z (in 8h)`.
pub fn when(t: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match t {
        Some(t) => format!("{} ({})", t.format("%Y-%m-%d %H:%M:%SZ"), relative(t, now)),
        None => "-".into(),
    }
}

/// A GPU's health on one line: `71°C 312W throttled (sw_power_cap) XID 94 (fatal, 5m ago)`;
/// `-` when it reported none. Idle clocks (`gpu_idle`) are not throttling.
pub fn health(h: Option<&slicebroker_types::api::GpuHealthRecord>, now: DateTime<Utc>) -> String {
    let Some(h) = h else {
        return "-".into();
    };
    let mut parts = Vec::new();
    if let Some(t) = h.temperature_c {
        parts.push(format!("{t}°C"));
    }
    if let Some(p) = h.power_mw {
        parts.push(format!("{:.0}W", f64::from(p) / 1000.0));
    }
    let throttled: Vec<&str> = h
        .throttle_reasons
        .iter()
        .flatten()
        .map(|r| r.as_str())
        .filter(|r| *r != "gpu_idle")
        .collect();
    if !throttled.is_empty() {
        parts.push(format!("throttled ({})", throttled.join(", ")));
    }
    if let Some(x) = h.xids.first() {
        let fatal = if x.fatal { "fatal, " } else { "" };
        parts.push(format!(
            "XID {} ({fatal}{})",
            x.xid,
            relative(x.seen_at, now)
        ));
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_is_one_line_of_what_was_measured() {
        use slicebroker_types::agent::ThrottleReason;
        use slicebroker_types::api::{GpuHealthRecord, XidRecord};
        let now = Utc::now();
        let mut h = GpuHealthRecord {
            reported_at: now,
            temperature_c: Some(71),
            power_mw: Some(312_400),
            ecc: None,
            throttle_reasons: Some(vec![ThrottleReason::GpuIdle, ThrottleReason::SwPowerCap]),
            xids: vec![XidRecord {
                xid: 94,
                fatal: true,
                gpu_instance_id: Some(3),
                compute_instance_id: Some(0),
                lease_ids: vec![],
                seen_at: now - chrono::Duration::minutes(5),
            }],
            xids_dropped: 0,
        };
        assert_eq!(
            health(Some(&h), now),
            "71°C 312W throttled (sw_power_cap) XID 94 (fatal, 5m ago)"
        );
        h.temperature_c = None;
        h.power_mw = None;
        h.throttle_reasons = Some(vec![ThrottleReason::GpuIdle]);
        h.xids.clear();
        assert_eq!(health(Some(&h), now), "-");
        assert_eq!(health(None, now), "-");
    }

    #[test]
    fn tables_align_columns_on_the_widest_cell() {
        let mut t = Table::new(&["id", "state"]);
        t.row(vec!["a".into(), "active".into()]);
        t.row(vec![
            "longer-id".into(),
            Cell::colored("ended", Some(Color::Dim)),
        ]);
        let plain = t.render(&Style { color: false });
        assert_eq!(
            plain,
            "ID         STATE\n\
             a          active\n\
             longer-id  ended\n"
        );
    }

    #[test]
    fn colour_does_not_change_the_alignment() {
        let mut t = Table::new(&["state", "n"]);
        t.row(vec![
            Cell::colored("active", Some(Color::Green)),
            "1".into(),
        ]);
        let colored = t.render(&Style { color: true });
        assert!(colored.contains("\x1b[32mactive\x1b[0m  1"));
        let stripped = colored.replace("\x1b[1m", "").replace("\x1b[32m", "");
        assert_eq!(stripped.replace("\x1b[0m", ""), "STATE   N\nactive  1\n");
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(duration(28_800), "8h");
        assert_eq!(duration(5400), "1h30m");
        assert_eq!(duration(5430), "1h30m");
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(86_400 + 4 * 3600 + 60), "1d4h");
        assert_eq!(duration(86_400 + 60), "1d");
        assert_eq!(duration(0), "0s");
    }

    #[test]
    fn times_are_relative_to_now() {
        let now = DateTime::parse_from_rfc3339("2026-05-01T12:00:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(relative(now + chrono::Duration::hours(8), now), "in 8h");
        assert_eq!(relative(now - chrono::Duration::minutes(5), now), "5m ago");
        let almost_8h = now + chrono::Duration::hours(8) - chrono::Duration::seconds(2);
        assert_eq!(relative(almost_8h, now), "in 8h");
        assert_eq!(relative(now, now), "now");
        assert_eq!(
            when(Some(now + chrono::Duration::minutes(90)), now),
            "2026-05-01 13:30:00Z (in 1h30m)"
        );
        assert_eq!(gib(20), "20GiB");
    }

    #[test]
    fn fields_align_their_keys() {
        assert_eq!(
            fields(&[("ID", "x".into()), ("State", "active".into())]),
            "ID     x\nState  active\n"
        );
    }
}
