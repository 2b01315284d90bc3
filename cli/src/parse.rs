//! Arguments as people type them: durations (`8h`, `1h30m`), sizes (`20GiB`), labels
//! (`team=vision`), limits that may be `none`, dates. Each is a clap value parser, so a bad one is a
//! usage error (exit 2) that says what was expected.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use clap::builder::{PossibleValuesParser, TypedValueParser};
use slicebroker_types::api::LeaseState;
use slicebroker_types::{GpuModel, ProfileRequest, duration, limits};

/// A booking's start: RFC 3339 (`2026-11-24T09:00:00+01:00`), or `YYYY-MM-DD HH:MM[:SS]` (or
/// with `T`) in UTC. Also takes what `slicectl` prints, so a time can be copied from its
/// output: a leading weekday (`Tue 2026-11-24 16:49:50`, as `calendar` shows times; it must be
/// the date's) and a trailing `Z` (`2026-11-24 16:49:50Z`, as `lease show` does).
pub fn start(s: &str) -> Result<DateTime<Utc>, String> {
    let t = s.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(t) {
        return Ok(at.to_utc());
    }
    let naive = t.strip_suffix(['Z', 'z']).unwrap_or(t).trim_end();
    [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%a %Y-%m-%d %H:%M",
        "%a %Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| chrono::NaiveDateTime::parse_from_str(naive, f).ok())
    .map(|at| at.and_utc())
    .ok_or_else(|| {
        format!(
            "`{t}` is not a time: give RFC 3339 or `YYYY-MM-DD HH:MM[:SS]` (UTC){}",
            weekday_hint(naive)
        )
    })
}

/// Why a time with a weekday was refused when the weekday is not the date's.
fn weekday_hint(naive: &str) -> String {
    let Some((day, rest)) = naive.split_once(' ') else {
        return String::new();
    };
    let date = rest.split([' ', 'T']).next().unwrap_or_default();
    match (
        day.parse::<chrono::Weekday>(),
        NaiveDate::parse_from_str(date, "%Y-%m-%d"),
    ) {
        (Ok(said), Ok(d)) if chrono::Datelike::weekday(&d) != said => {
            format!(
                "; {date} is a {} (`{}`), not `{day}`",
                d.format("%A"),
                d.format("%a")
            )
        }
        _ => String::new(),
    }
}

/// A positive duration in seconds, at most 366 days (the API's bound on every duration).
pub fn seconds(s: &str) -> Result<i64, String> {
    seconds_within(s, 1, limits::MAX_DURATION_SECONDS)
}

/// `tenant … --max-extension`: 0 (no extensions) to 366 days.
pub fn extension_total(s: &str) -> Result<i64, String> {
    seconds_within(s, 0, limits::MAX_DURATION_SECONDS)
}

/// `tenant … --max-booking-ahead`: 0 (no bookings) to 30 days.
pub fn booking_ahead(s: &str) -> Result<i64, String> {
    seconds_within(s, 0, limits::MAX_BOOKING_AHEAD_SECONDS)
}

/// `tenant … --max-booking`: a duration as [`seconds`], or `none` (the longest lease's).
pub fn booking_limit(s: &str) -> Result<Limit<i64>, String> {
    limit(s, seconds)
}

/// `enroll --ttl`: a positive duration, at most 30 days.
pub fn enrollment_ttl(s: &str) -> Result<i64, String> {
    seconds_within(s, 1, limits::MAX_ENROLLMENT_TTL_SECONDS)
}

fn seconds_within(s: &str, min: i64, max: i64) -> Result<i64, String> {
    match duration::parse_seconds(s)? {
        n if n < min && min == 1 => Err("must be longer than 0s".into()),
        n if n < min => Err(format!("must be at least {}", crate::output::duration(min))),
        n if n > max => Err(format!("must be at most {}", crate::output::duration(max))),
        n => Ok(n),
    }
}

/// A size in MiB: `20GiB`, `20G`, `20gb` (GPU memory is counted in GiB, so GB is read as
/// GiB), `1TiB`, `512MiB`, or a bare number of GiB.
fn mib(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if unit.starts_with(['.', ',']) {
        return Err(format!(
            "`{s}`: give a whole number, in a smaller unit if need be (`1536MiB`)"
        ));
    }
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not a size; expected e.g. `20GiB`"))?;
    let mib_per_unit: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "g" | "gb" | "gi" | "gib" => 1024,
        "m" | "mb" | "mi" | "mib" => 1,
        "t" | "tb" | "ti" | "tib" => 1024 * 1024,
        other => return Err(format!("unknown unit `{other}`; use MiB, GiB or TiB")),
    };
    n.checked_mul(mib_per_unit)
        .ok_or_else(|| format!("`{s}` is too large"))
}

/// A size in whole GiB, rounded up (the smallest profile with at least this much memory):
/// see [`mib`] for the forms.
pub fn gib(s: &str) -> Result<u32, String> {
    let gib = u32::try_from(mib(s)?.div_ceil(1024)).map_err(|_| format!("`{s}` is too large"))?;
    if gib == 0 {
        return Err("must be more than 0".into());
    }
    if gib > limits::MAX_MIN_MEMORY_GIB {
        return Err(format!("must be at most {}GiB", limits::MAX_MIN_MEMORY_GIB));
    }
    Ok(gib)
}

/// A limit in GiB, 0 or more: never rounded, since rounding up would raise the limit.
pub fn whole_gib(s: &str) -> Result<u32, String> {
    let mib = mib(s)?;
    if mib % 1024 != 0 {
        return Err(format!(
            "`{s}` is not a whole number of GiB: memory limits are kept in GiB"
        ));
    }
    u32::try_from(mib / 1024).map_err(|_| format!("`{s}` is too large"))
}

/// `key=value`.
pub fn label(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.to_owned())),
        _ => Err(format!("`{s}` is not a label; expected `key=value`")),
    }
}

/// A GPU model's catalog key (`h100-80gb`), checked against the catalog.
pub fn model(s: &str) -> Result<String, String> {
    GpuModel::parse(s)
        .map(|m| GpuModel::get(m).key.to_owned())
        .map_err(|e| e.to_string())
}

/// A profile name (`2g.20gb`) or compute size (`3g`), checked as the server would.
pub fn profile(s: &str) -> Result<String, String> {
    ProfileRequest::parse(s)
        .map(|_| s.to_owned())
        .map_err(|e| e.to_string())
}

/// A limit that may be lifted: a value, or `none` (also `unlimited`, `-`) for no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit<T> {
    None,
    Some(T),
}

impl<T> Limit<T> {
    pub fn into_option(self) -> Option<T> {
        match self {
            Limit::None => None,
            Limit::Some(v) => Some(v),
        }
    }
}

fn limit<T>(s: &str, each: impl Fn(&str) -> Result<T, String>) -> Result<Limit<T>, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "none" | "unlimited" | "-" => Ok(Limit::None),
        _ => each(s).map(Limit::Some),
    }
}

/// A whole number from 0 to `max`.
fn whole_number(s: &str, max: i64) -> Result<i64, String> {
    match s.trim().parse::<i64>() {
        Ok(n) if (0..=max).contains(&n) => Ok(n),
        Ok(_) => Err(format!("must be 0 to {max} (or `none`)")),
        Err(_) => Err(format!("`{s}` is not a whole number (or `none`)")),
    }
}

/// A quota (compute slices, leases, bookings): 0 to 10,000,000, or `none`.
pub fn quota_limit(s: &str) -> Result<Limit<i32>, String> {
    limit(s, |s| {
        whole_number(s, i64::from(limits::MAX_QUOTA)).map(|n| n as i32)
    })
}

/// A monthly budget in compute-slice-hours: 0 to 1,000,000,000, or `none`.
pub fn budget_limit(s: &str) -> Result<Limit<i64>, String> {
    limit(s, |s| whole_number(s, limits::MAX_BUDGET_SLICE_HOURS))
}

/// The largest profile outside slice classes, in compute slices: 0 to 8, or `none`.
pub fn outside_classes_limit(s: &str) -> Result<Limit<i32>, String> {
    limit(s, |s| {
        whole_number(s, i64::from(limits::MAX_PROFILE_COMPUTE_SLICES)).map(|n| n as i32)
    })
}

/// A memory limit in whole GiB (a quota: at most 10,000,000), or `none`.
pub fn gib_limit(s: &str) -> Result<Limit<i32>, String> {
    limit(s, |s| {
        let gib = whole_gib(s)?;
        i32::try_from(gib)
            .ok()
            .filter(|g| *g <= limits::MAX_QUOTA)
            .ok_or_else(|| format!("must be at most {}GiB", limits::MAX_QUOTA))
    })
}

/// GPU models as one argument; empty for every model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Models(pub Vec<String>);

/// GPU models, comma-separated; `any` (or an empty string) for every model.
pub fn models(s: &str) -> Result<Models, String> {
    match s.trim() {
        "" | "any" | "all" => Ok(Models(Vec::new())),
        list => {
            let models: Vec<String> = list
                .split(',')
                .map(|m| model(m.trim()))
                .collect::<Result<_, _>>()?;
            if models.len() > limits::MAX_MODELS {
                return Err(format!("at most {} models", limits::MAX_MODELS));
            }
            Ok(Models(models))
        }
    }
}

/// `lease ls --limit`: how many leases to show at most, 1 or more. The API takes 1 to 500 leases
/// a page (`limit` of `GET /v1/leases`) and refuses 0; `lease ls` joins pages, so only the lower
/// bound applies to the total.
pub fn list_limit(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("`{s}` is not a whole number of leases, 1 or more")),
    }
}

/// A lease state, one of [`LeaseState::ALL`] (so `--help` and the completions list every
/// state the API has).
pub fn lease_state() -> impl TypedValueParser<Value = LeaseState> {
    PossibleValuesParser::new(LeaseState::ALL.map(LeaseState::as_str))
        .try_map(|s| s.parse::<LeaseState>())
}

/// A point in time: an RFC 3339 time, or a date (its midnight, UTC).
pub fn instant(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.to_utc());
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_time(NaiveTime::MIN).and_utc())
        .map_err(|_| format!("`{s}` is not a date (`2026-05-01`) or RFC 3339 time"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booking_starts_take_rfc_3339_or_a_utc_date_and_time() {
        let nine = "2026-11-24T09:00:00Z".parse::<chrono::DateTime<chrono::Utc>>();
        assert_eq!(start("2026-11-24 09:00").ok(), nine.ok());
        assert_eq!(start("2026-11-24T10:00:00+01:00").ok(), nine.ok());
        assert!(start("tomorrow 9am").unwrap_err().contains("RFC 3339"));
    }

    #[test]
    fn booking_starts_take_the_forms_slicectl_prints() {
        let at = "2026-11-24T16:49:50Z".parse::<DateTime<Utc>>().ok();
        // `calendar`'s earliest start, with and without the weekday.
        assert_eq!(start("Tue 2026-11-24 16:49:50").ok(), at);
        assert_eq!(start("2026-11-24 16:49:50").ok(), at);
        // `lease show`, `lease create --at`, `lease events`.
        assert_eq!(start("2026-11-24 16:49:50Z").ok(), at);
        assert_eq!(start("2026-11-24T16:49:50Z").ok(), at);
        assert_eq!(
            start("Tue 2026-11-24 16:49").ok(),
            "2026-11-24T16:49:00Z".parse::<DateTime<Utc>>().ok()
        );
        // A weekday that is not the date's is a mistake somewhere, not a time.
        let e = start("Mon 2026-11-24 16:49").unwrap_err();
        assert!(
            e.contains("2026-11-24 is a Tuesday (`Tue`), not `Mon`"),
            "{e}"
        );
    }

    #[test]
    fn a_list_limit_is_one_or_more() {
        assert_eq!(list_limit("1"), Ok(1));
        assert_eq!(list_limit("1000"), Ok(1000));
        assert!(list_limit("0").unwrap_err().contains("at least 1"));
        assert!(list_limit("-1").unwrap_err().contains("not a whole number"));
    }

    #[test]
    fn durations_take_units_iso_and_seconds() {
        assert_eq!(seconds("8h"), Ok(28_800));
        assert_eq!(seconds("1h30m"), Ok(5400));
        assert_eq!(seconds("PT2H"), Ok(7200));
        assert_eq!(seconds("90"), Ok(90));
        assert!(seconds("0s").unwrap_err().contains("longer than 0s"));
        assert_eq!(seconds("366d"), Ok(31_622_400));
        assert!(seconds("367d").unwrap_err().contains("at most 366d"));
        assert!(seconds("8 hours").is_err());
        assert!(seconds("-1h").unwrap_err().contains("negative"));
    }

    #[test]
    fn sizes_are_whole_gib_rounded_up() {
        assert_eq!(gib("20GiB"), Ok(20));
        assert_eq!(gib("20gb"), Ok(20));
        assert_eq!(gib("20G"), Ok(20));
        assert_eq!(gib("20"), Ok(20));
        assert_eq!(gib("1TiB"), Ok(1024));
        assert_eq!(gib("512MiB"), Ok(1));
        assert_eq!(gib("20480MiB"), Ok(20));
        assert_eq!(gib("20481MiB"), Ok(21));
        assert!(gib("20 GiB").is_ok());
        assert!(gib("0GiB").unwrap_err().contains("more than 0"));
        assert!(gib("20PB").unwrap_err().contains("unknown unit"));
        assert!(gib("GiB").unwrap_err().contains("not a size"));
        assert!(gib("99999999999TiB").unwrap_err().contains("too large"));
        assert_eq!(gib("4TiB"), Ok(4096));
        assert!(gib("4097GiB").unwrap_err().contains("at most 4096GiB"));
        assert!(gib("1.5GiB").unwrap_err().contains("whole number"));
    }

    #[test]
    fn memory_limits_are_whole_gib_never_rounded() {
        assert_eq!(whole_gib("80GiB"), Ok(80));
        assert_eq!(whole_gib("2048MiB"), Ok(2));
        assert_eq!(whole_gib("0"), Ok(0));
        for raised in ["10MiB", "1536MiB"] {
            assert!(
                whole_gib(raised)
                    .unwrap_err()
                    .contains("not a whole number of GiB")
            );
        }
        assert_eq!(gib_limit("none"), Ok(Limit::None));
        assert_eq!(gib_limit("0GiB"), Ok(Limit::Some(0)));
    }

    #[test]
    fn labels_are_key_equals_value() {
        assert_eq!(label("team=vision"), Ok(("team".into(), "vision".into())));
        assert_eq!(label("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert_eq!(label("empty="), Ok(("empty".into(), String::new())));
        assert!(label("team").is_err());
        assert!(label("=x").is_err());
    }

    #[test]
    fn models_and_profiles_are_checked_against_the_catalog() {
        assert_eq!(model("h100-80gb"), Ok("h100-80gb".into()));
        assert!(model("tpu-v5").is_err());
        assert_eq!(profile("2g.20gb"), Ok("2g.20gb".into()));
        assert_eq!(profile("3g"), Ok("3g".into()));
        assert!(profile("banana").is_err());
        assert_eq!(models("any"), Ok(Models(vec![])));
        assert_eq!(
            models("h100-80gb, a100-40gb"),
            Ok(Models(vec!["h100-80gb".into(), "a100-40gb".into()]))
        );
        assert!(models("h100-80gb,tpu").is_err());
    }

    #[test]
    fn instants_are_dates_or_rfc3339() {
        assert_eq!(
            instant("2026-05-01").unwrap().to_rfc3339(),
            "2026-05-01T00:00:00+00:00"
        );
        assert_eq!(
            instant("2026-05-01T12:00:00+02:00").unwrap().to_rfc3339(),
            "2026-05-01T10:00:00+00:00"
        );
        assert!(instant("yesterday").is_err());
    }

    #[test]
    fn limits_may_be_none() {
        assert_eq!(quota_limit("none"), Ok(Limit::None));
        assert_eq!(quota_limit("4"), Ok(Limit::Some(4)));
        assert!(quota_limit("-4").is_err());
        assert_eq!(gib_limit("80GiB"), Ok(Limit::Some(80)));
        assert_eq!(gib_limit("unlimited"), Ok(Limit::None));
        assert_eq!(budget_limit("-"), Ok(Limit::None));
        assert_eq!(booking_limit("none"), Ok(Limit::None));
        assert_eq!(booking_limit("8h"), Ok(Limit::Some(28_800)));
    }

    /// The bounds of `TenantPolicyPatch` in `openapi/slicebroker.json`: quotas 0 to 10,000,000,
    /// the budget 0 to 1,000,000,000, the profile outside classes 0 to 8, durations 1s to 366d
    /// but 0 allowed for the extension total and the booking horizon (at most 30d).
    #[test]
    fn policy_values_are_checked_against_the_api_bounds() {
        assert_eq!(quota_limit("0"), Ok(Limit::Some(0)));
        assert_eq!(quota_limit("10000000"), Ok(Limit::Some(10_000_000)));
        assert!(
            quota_limit("10000001")
                .unwrap_err()
                .contains("0 to 10000000")
        );
        assert_eq!(budget_limit("1000000000"), Ok(Limit::Some(1_000_000_000)));
        assert!(budget_limit("1000000001").is_err());
        assert_eq!(outside_classes_limit("0"), Ok(Limit::Some(0)));
        assert_eq!(outside_classes_limit("8"), Ok(Limit::Some(8)));
        assert!(outside_classes_limit("9").unwrap_err().contains("0 to 8"));
        assert_eq!(gib_limit("10000000"), Ok(Limit::Some(10_000_000)));
        assert!(gib_limit("10000001GiB").unwrap_err().contains("at most"));

        assert_eq!(extension_total("0s"), Ok(0));
        assert_eq!(extension_total("0"), Ok(0));
        assert_eq!(extension_total("366d"), Ok(31_622_400));
        assert!(extension_total("367d").is_err());
        assert_eq!(booking_ahead("0s"), Ok(0));
        assert_eq!(booking_ahead("30d"), Ok(2_592_000));
        assert!(booking_ahead("31d").unwrap_err().contains("at most 30d"));
        assert!(booking_limit("0s").unwrap_err().contains("longer than 0s"));
        assert!(booking_limit("367d").is_err());

        let many = vec!["h100-80gb"; 33].join(",");
        assert!(models(&many).unwrap_err().contains("at most 32"));
    }

    #[test]
    fn enrollment_ttls_are_1s_to_30d() {
        assert_eq!(enrollment_ttl("24h"), Ok(86_400));
        assert_eq!(enrollment_ttl("30d"), Ok(2_592_000));
        assert!(enrollment_ttl("31d").unwrap_err().contains("at most 30d"));
        assert!(enrollment_ttl("0s").unwrap_err().contains("longer than 0s"));
    }
}
