//! The documented bounds of every number and string a client, an admin or an agent may send.
//! The server refuses anything outside them with a 400 naming the field, before any
//! arithmetic, so that every sum, product and timestamp it derives stays in range (a lease's
//! end is at most two years ahead: its longest duration plus its longest extension). The
//! OpenAPI document states the same bounds.

/// Longest duration anywhere: a lease, an extension, an idle timeout, a policy limit (366 days).
pub const MAX_DURATION_SECONDS: i64 = 366 * 86_400;

/// Furthest ahead a booking may start (`start` of `POST /v1/leases`): 30 days.
pub const MAX_BOOKING_AHEAD_SECONDS: i64 = 30 * 86_400;

/// Largest quota a tenant policy may set (`max_live_compute_slices`, `max_live_memory_gib`,
/// `max_live_leases`).
pub const MAX_QUOTA: i32 = 10_000_000;

/// Largest monthly budget, in compute-slice-hours.
pub const MAX_BUDGET_SLICE_HOURS: i64 = 1_000_000_000;

/// Most slices in one lease.
pub const MAX_COUNT: u32 = 64;

/// Queue priority range of a lease request.
pub const PRIORITY: std::ops::RangeInclusive<i32> = -100..=100;

/// Largest `min_memory_gib` of a lease request (no GPU has more).
pub const MAX_MIN_MEMORY_GIB: u32 = 4096;

/// Largest `min_compute_slices` of a lease request.
pub const MAX_MIN_COMPUTE_SLICES: u8 = 8;

/// Most XID events one GPU may carry in one observed report (`gpus[].health.xids`); an agent
/// that saw more keeps the newest and counts the rest in `xids_dropped`.
pub const MAX_XIDS_PER_REPORT: usize = 64;

/// Largest GPU temperature an agent may report, degrees C (GPUs shut down near 100).
pub const MAX_TEMPERATURE_C: u32 = 200;

/// Largest GPU power draw an agent may report, milliwatts (10 kW; boards draw at most ~1.2 kW).
pub const MAX_POWER_MW: u32 = 10_000_000;

/// Largest ECC count and XID number an agent may report: what a signed 64/32-bit column holds.
pub const MAX_ECC_COUNT: u64 = i64::MAX as u64;
pub const MAX_XID: u64 = i32::MAX as u64;
/// Largest XID number (`xids[].seq`) an agent may send: what a signed 64-bit column holds.
pub const MAX_XID_SEQ: u64 = i64::MAX as u64;

/// Most tenants a slice class may list in `tenants`.
pub const MAX_CLASS_TENANTS: usize = 1000;

/// Largest `max_compute_slices_outside_classes` of a tenant policy (no profile has more).
pub const MAX_PROFILE_COMPUTE_SLICES: i32 = 8;

/// Display names, key names and notes: at most this many characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Longest enrollment-token lifetime (30 days).
pub const MAX_ENROLLMENT_TTL_SECONDS: i64 = 30 * 86_400;

/// Most GPU models a request or a policy may list.
pub const MAX_MODELS: usize = 32;

/// Most cost rates (`PUT /v1/rates`).
pub const MAX_COST_RATES: usize = 1000;

/// Highest price of one hour in a cost rate.
pub const MAX_COST_PER_HOUR: f64 = 1_000_000.0;

/// Longest period of one usage report (`GET /v1/usage`): 366 days.
pub const MAX_USAGE_DAYS: i64 = 366;

/// Whether `seconds` is a positive duration within [`MAX_DURATION_SECONDS`]; the reason if not.
pub fn duration(seconds: i64) -> Result<i64, String> {
    if seconds <= 0 {
        Err("must be positive".into())
    } else if seconds > MAX_DURATION_SECONDS {
        Err(format!(
            "must be at most {MAX_DURATION_SECONDS} seconds (366 days); got {seconds}"
        ))
    } else {
        Ok(seconds)
    }
}

/// `t` plus `seconds`, if the result is a time the API can print as RFC 3339 (years up to
/// 9999); `None` otherwise. Every end computed from a client's number goes through this.
pub fn add_seconds(
    t: chrono::DateTime<chrono::Utc>,
    seconds: i64,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::Datelike;
    chrono::TimeDelta::try_seconds(seconds)
        .and_then(|d| t.checked_add_signed(d))
        .filter(|end| (0..=9999).contains(&end.year()))
}

/// A human-readable name (display name, key name): 1 to [`MAX_NAME_CHARS`] characters, not
/// blank, no control characters.
pub fn name(s: &str) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err("must not be empty".into());
    }
    text(s)
}

/// Free text (a note): at most [`MAX_NAME_CHARS`] characters, no control characters; may be
/// empty.
pub fn text(s: &str) -> Result<(), String> {
    if s.chars().count() > MAX_NAME_CHARS {
        return Err(format!("must be at most {MAX_NAME_CHARS} characters"));
    }
    if s.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(())
}

/// An RFC 6901 JSON pointer to a nested request field (`/policy/max_live_leases`,
/// `/labels/team`, `/gpu_models/1`), as problems name them; a top-level field is named bare.
pub fn pointer<S: AsRef<str>>(segments: &[S]) -> String {
    match segments {
        [one] => one.as_ref().to_owned(),
        _ => segments
            .iter()
            .map(|s| format!("/{}", s.as_ref().replace('~', "~0").replace('/', "~1")))
            .collect(),
    }
}

/// Longest webhook URL, in characters.
pub const MAX_WEBHOOK_URL_CHARS: usize = 2048;

/// Most event kinds one webhook may list.
pub const MAX_WEBHOOK_KINDS: usize = 32;

/// Most webhooks per tenant (and fleet-wide).
pub const MAX_WEBHOOKS: i64 = 20;

/// Most deliveries `GET …/deliveries` returns (newest first).
pub const MAX_WEBHOOK_DELIVERIES_PAGE: i64 = 100;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_positive_and_at_most_366_days() {
        assert!(duration(0).is_err());
        assert!(duration(-1).is_err());
        assert_eq!(duration(1), Ok(1));
        assert_eq!(duration(MAX_DURATION_SECONDS), Ok(MAX_DURATION_SECONDS));
        assert!(duration(MAX_DURATION_SECONDS + 1).is_err());
        assert!(duration(i64::MAX).unwrap_err().contains("366 days"));
    }

    #[test]
    fn sums_past_year_9999_are_refused_not_wrapped() {
        let now = chrono::Utc::now();
        assert!(add_seconds(now, MAX_DURATION_SECONDS * 2).is_some());
        assert!(add_seconds(now, i64::MAX).is_none());
        assert!(add_seconds(now, 300_000_000_000).is_none());
        assert!(add_seconds(now, i64::MIN).is_none());
    }

    #[test]
    fn names_are_bounded_and_printable() {
        assert!(name("Vision team").is_ok());
        assert!(name("").is_err());
        assert!(name("   ").is_err());
        assert!(name(&"x".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
        assert!(name("a\u{0}b").is_err());
        assert!(text("").is_ok());
    }

    #[test]
    fn pointers_escape_and_top_level_fields_stay_bare() {
        assert_eq!(pointer(&["duration"]), "duration");
        assert_eq!(
            pointer(&["policy", "max_live_leases"]),
            "/policy/max_live_leases"
        );
        assert_eq!(pointer(&["labels", "a/b~c"]), "/labels/a~1b~0c");
        assert_eq!(pointer(&["gpu_models", "1"]), "/gpu_models/1");
    }
}
