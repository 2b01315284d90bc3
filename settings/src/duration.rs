//! Durations as people write them in settings (`250ms`, `30s`, `5m`, `8h`, `1d`, `1h30m`),
//! shown back the same way, and durations bounded to a range checked while deserializing.

use serde::{Deserialize, Deserializer, de};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// A duration written with units: one or more number+unit groups, units `ms`, `s`, `m`, `h`,
/// `d`. A bare number is refused: `10000` could mean milliseconds or seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HumanDuration(Duration);

/// Why a duration's text was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BadDuration {
    #[error("is empty; expected a duration like `30s`, `5m` or `8h`")]
    Empty,
    #[error("`{0}` has no unit; write e.g. `{0}s` or `{0}ms`")]
    NoUnit(String),
    #[error("`{text}` has an unknown unit `{unit}`; use ms, s, m, h or d (e.g. `1h30m`)")]
    UnknownUnit { text: String, unit: String },
    #[error("`{0}` is not a duration; expected e.g. `250ms`, `30s`, `5m`, `8h`, `1d` or `1h30m`")]
    Malformed(String),
    #[error("`{0}` is too long")]
    Overflow(String),
}

const UNITS: [(&str, u64); 5] = [
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1000),
    ("ms", 1),
];

impl HumanDuration {
    pub const fn from_millis(ms: u64) -> Self {
        Self(Duration::from_millis(ms))
    }

    pub const fn get(self) -> Duration {
        self.0
    }
}

impl From<Duration> for HumanDuration {
    fn from(d: Duration) -> Self {
        Self(d)
    }
}

impl FromStr for HumanDuration {
    type Err = BadDuration;

    fn from_str(text: &str) -> Result<Self, BadDuration> {
        let s = text.trim();
        if s.is_empty() {
            return Err(BadDuration::Empty);
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(BadDuration::NoUnit(s.to_owned()));
        }
        let mut total: u64 = 0;
        let mut rest = s;
        while !rest.is_empty() {
            let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            let letters = rest[digits..].len()
                - rest[digits..]
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                    .len();
            if digits == 0 || letters == 0 {
                return Err(BadDuration::Malformed(s.to_owned()));
            }
            let unit = &rest[digits..digits + letters];
            let size = UNITS
                .iter()
                .find(|(name, _)| *name == unit)
                .map(|(_, size)| *size)
                .ok_or_else(|| BadDuration::UnknownUnit {
                    text: s.to_owned(),
                    unit: unit.to_owned(),
                })?;
            let overflow = || BadDuration::Overflow(s.to_owned());
            let n: u64 = rest[..digits].parse().map_err(|_| overflow())?;
            total = n
                .checked_mul(size)
                .and_then(|ms| total.checked_add(ms))
                .ok_or_else(overflow)?;
            rest = rest[digits + letters..].trim_start();
        }
        Ok(Self(Duration::from_millis(total)))
    }
}

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = u64::try_from(self.0.as_millis()).unwrap_or(u64::MAX);
        if rest == 0 {
            return f.write_str("0s");
        }
        for (unit, size) in UNITS {
            if rest >= size {
                write!(f, "{}{unit}", rest / size)?;
                rest %= size;
            }
        }
        Ok(())
    }
}

impl<'de> Deserialize<'de> for HumanDuration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = HumanDuration;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a duration with a unit, like \"30s\" or \"10m\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<HumanDuration, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_str(Visitor)
    }
}

/// A [`HumanDuration`] between `MIN_MS` and `MAX_MS` milliseconds (inclusive); anything else
/// is refused while deserializing or parsing, so a value of this type is always in range.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DurationIn<const MIN_MS: u64, const MAX_MS: u64>(HumanDuration);

impl<const MIN_MS: u64, const MAX_MS: u64> DurationIn<MIN_MS, MAX_MS> {
    /// For defaults and tests: panics (at compile time in a `const`) when out of range.
    pub const fn from_millis(ms: u64) -> Self {
        assert!(MIN_MS <= ms && ms <= MAX_MS, "duration out of its range");
        Self(HumanDuration::from_millis(ms))
    }

    pub fn new(d: impl Into<HumanDuration>) -> Result<Self, String> {
        let d = d.into();
        let ms = d.get().as_millis();
        if ms < u128::from(MIN_MS) || ms > u128::from(MAX_MS) {
            return Err(format!(
                "must be between {} and {}; got {d}",
                HumanDuration::from_millis(MIN_MS),
                HumanDuration::from_millis(MAX_MS)
            ));
        }
        Ok(Self(d))
    }

    pub const fn get(self) -> Duration {
        self.0.get()
    }
}

impl<const MIN_MS: u64, const MAX_MS: u64> fmt::Debug for DurationIn<MIN_MS, MAX_MS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<const MIN_MS: u64, const MAX_MS: u64> fmt::Display for DurationIn<MIN_MS, MAX_MS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<const MIN_MS: u64, const MAX_MS: u64> FromStr for DurationIn<MIN_MS, MAX_MS> {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::new(s.parse::<HumanDuration>().map_err(|e| e.to_string())?)
    }
}

impl<'de, const MIN_MS: u64, const MAX_MS: u64> Deserialize<'de> for DurationIn<MIN_MS, MAX_MS> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(HumanDuration::deserialize(d)?).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> Result<u128, BadDuration> {
        text.parse::<HumanDuration>().map(|d| d.get().as_millis())
    }

    #[test]
    fn parses_each_unit_and_combinations() {
        assert_eq!(ms("250ms"), Ok(250));
        assert_eq!(ms("30s"), Ok(30_000));
        assert_eq!(ms("5m"), Ok(300_000));
        assert_eq!(ms("8h"), Ok(28_800_000));
        assert_eq!(ms("1d"), Ok(86_400_000));
        assert_eq!(ms("1h30m"), Ok(5_400_000));
        assert_eq!(ms(" 1m 500ms "), Ok(60_500));
        assert_eq!(ms("0s"), Ok(0));
    }

    #[test]
    fn refuses_empty_bare_numbers_unknown_units_and_overflow() {
        assert_eq!(ms(""), Err(BadDuration::Empty));
        assert_eq!(ms("   "), Err(BadDuration::Empty));
        assert_eq!(ms("10000"), Err(BadDuration::NoUnit("10000".into())));
        assert!(matches!(ms("5x"), Err(BadDuration::UnknownUnit { unit, .. }) if unit == "x"));
        assert!(matches!(ms("5sec"), Err(BadDuration::UnknownUnit { .. })));
        assert_eq!(ms("h"), Err(BadDuration::Malformed("h".into())));
        assert_eq!(ms("-5s"), Err(BadDuration::Malformed("-5s".into())));
        assert_eq!(ms("1.5h"), Err(BadDuration::Malformed("1.5h".into())));
        assert_eq!(ms("5s3"), Err(BadDuration::Malformed("5s3".into())));
        let huge = "99999999999999999999s";
        assert_eq!(ms(huge), Err(BadDuration::Overflow(huge.into())));
        assert_eq!(
            ms("18446744073709551615d"),
            Err(BadDuration::Overflow("18446744073709551615d".into()))
        );
        assert_eq!(
            ms("18446744073709551615ms1ms"),
            Err(BadDuration::Overflow("18446744073709551615ms1ms".into()))
        );
    }

    #[test]
    fn display_is_the_inverse_of_parsing() {
        for (text, shown) in [
            ("250ms", "250ms"),
            ("90s", "1m30s"),
            ("1h30m", "1h30m"),
            ("24h", "1d"),
            ("1d2h3m4s5ms", "1d2h3m4s5ms"),
            ("0ms", "0s"),
        ] {
            let d: HumanDuration = text.parse().unwrap();
            assert_eq!(d.to_string(), shown);
            assert_eq!(shown.parse::<HumanDuration>(), Ok(d));
        }
    }

    #[test]
    fn bounded_durations_refuse_values_out_of_range_and_say_the_range() {
        type Interval = DurationIn<1000, 3_600_000>;
        assert_eq!(
            "2s".parse::<Interval>().unwrap().get(),
            Duration::from_secs(2)
        );
        assert_eq!(
            "500ms".parse::<Interval>().unwrap_err(),
            "must be between 1s and 1h; got 500ms"
        );
        assert!(
            "2h".parse::<Interval>()
                .unwrap_err()
                .contains("between 1s and 1h")
        );
        assert!("2".parse::<Interval>().unwrap_err().contains("no unit"));
        assert_eq!(Interval::from_millis(1000).to_string(), "1s");
    }
}
