//! Lease durations as clients write them: `"8h"`, `"90m"`, `"1h30m"`, ISO 8601 (`"PT8H"`,
//! `"P1DT2H"`) or a number of seconds (`28800` or `"28800"`).

/// Parses a duration into whole seconds, or says what is wrong with it.
pub fn parse_seconds(s: &str) -> Result<i64, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("is empty; expected e.g. `8h`, `PT8H` or a number of seconds".into());
    }
    if let Some(rest) = s.strip_prefix(['P', 'p']) {
        return parse_iso(rest).ok_or_else(|| {
            format!("`{s}` is not an ISO 8601 duration (like `PT8H` or `P1DT12H`)")
        });
    }
    if s.starts_with('-') {
        return Err(format!("`{s}` is negative; a duration must be positive"));
    }
    if let Ok(n) = s.parse::<i64>() {
        return Ok(n);
    }
    parse_units(s).ok_or_else(|| {
        format!("`{s}` is not a duration; expected e.g. `8h`, `1h30m`, `PT8H` or seconds")
    })
}

fn unit_seconds(unit: char) -> Option<i64> {
    Some(match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    })
}

/// `1h30m`, `8h`, `45s`: one or more number+unit groups, largest unit first, each unit once
/// (`1d1d` or `30m1h` is more likely a typo than a sum).
fn parse_units(s: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut digits = String::new();
    let mut last_unit = i64::MAX;
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            let n: i64 = digits.parse().ok()?;
            let unit = unit_seconds(c.to_ascii_lowercase())?;
            if unit >= last_unit {
                return None;
            }
            last_unit = unit;
            total = total.checked_add(n.checked_mul(unit)?)?;
            digits.clear();
        }
    }
    digits.is_empty().then_some(total)
}

/// The part after `P`: `nW`, `nD`, then optionally `T` with `nH`, `nM`, `nS`.
fn parse_iso(s: &str) -> Option<i64> {
    let (date, time) = match s.split_once(['T', 't']) {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (s, None),
    };
    if date.is_empty() && time.is_none() {
        return None;
    }
    let mut total = 0i64;
    if !date.is_empty() {
        total += parse_units(&date.to_ascii_lowercase()).filter(|_| {
            date.chars()
                .all(|c| c.is_ascii_digit() || "DWdw".contains(c))
        })?;
    }
    if let Some(t) = time {
        if !t
            .chars()
            .all(|c| c.is_ascii_digit() || "HMShms".contains(c))
        {
            return None;
        }
        total = total.checked_add(parse_units(&t.to_ascii_lowercase())?)?;
    }
    Some(total)
}

/// Renders seconds the way users write them (`8h`, `1h30m`, `45s`).
pub fn format_seconds(secs: i64) -> String {
    if secs == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut rest = secs;
    for (unit, size) in [("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if rest >= size {
            out.push_str(&format!("{}{unit}", rest / size));
            rest %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_units_iso_and_seconds() {
        assert_eq!(parse_seconds("8h"), Ok(28_800));
        assert_eq!(parse_seconds("1h30m"), Ok(5400));
        for typo in ["1d1d", "30m1h", "1h1h", "P1D1D", "PT1M1H"] {
            assert!(parse_seconds(typo).is_err(), "{typo}");
        }
        assert_eq!(parse_seconds("PT8H"), Ok(28_800));
        assert_eq!(parse_seconds("P1DT2H"), Ok(93_600));
        assert_eq!(parse_seconds("P2W"), Ok(1_209_600));
        assert_eq!(parse_seconds("3600"), Ok(3600));
        assert_eq!(parse_seconds(" 45s "), Ok(45));
    }

    #[test]
    fn rejects_negative_empty_and_garbage_with_a_reason() {
        assert!(parse_seconds("-5").unwrap_err().contains("negative"));
        assert!(parse_seconds("").unwrap_err().contains("empty"));
        assert!(parse_seconds("8x").unwrap_err().contains("not a duration"));
        assert!(parse_seconds("8").is_ok());
        assert!(parse_seconds("h").is_err());
        assert!(parse_seconds("PT").unwrap_err().contains("ISO 8601"));
        assert!(parse_seconds("P1H").is_err(), "hours belong after T");
        assert!(parse_seconds("99999999999999999999h").is_err());
    }

    #[test]
    fn formatting_is_the_inverse_of_parsing() {
        for secs in [1, 59, 60, 3600, 5400, 28_800, 93_600, 100_000] {
            assert_eq!(parse_seconds(&format_seconds(secs)), Ok(secs));
        }
    }
}
