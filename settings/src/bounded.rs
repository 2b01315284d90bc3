//! Whole numbers bounded to a range that deserializing checks, so a value of the type is
//! always in range.

use serde::{Deserialize, Deserializer, de};
use std::fmt;
use std::str::FromStr;

/// A `T` between `MIN` and `MAX` (inclusive).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bounded<T, const MIN: u64, const MAX: u64>(T);

impl<T: Copy + TryFrom<u64>, const MIN: u64, const MAX: u64> Bounded<T, MIN, MAX> {
    pub fn new(n: u64) -> Result<Self, String> {
        if !(MIN..=MAX).contains(&n) {
            return Err(match MAX {
                u64::MAX => format!("must be at least {MIN}; got {n}"),
                _ => format!("must be between {MIN} and {MAX}; got {n}"),
            });
        }
        T::try_from(n)
            .map(Self)
            .map_err(|_| format!("{n} is too large"))
    }

    pub fn get(self) -> T {
        self.0
    }
}

impl<T: fmt::Debug, const MIN: u64, const MAX: u64> fmt::Debug for Bounded<T, MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: fmt::Display, const MIN: u64, const MAX: u64> fmt::Display for Bounded<T, MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: Copy + TryFrom<u64>, const MIN: u64, const MAX: u64> FromStr for Bounded<T, MIN, MAX> {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let n = s
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("`{s}` is not a whole number"))?;
        Self::new(n)
    }
}

impl<'de, T: Copy + TryFrom<u64>, const MIN: u64, const MAX: u64> Deserialize<'de>
    for Bounded<T, MIN, MAX>
{
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Self::new(u64::deserialize(d)?).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_outside_the_range_are_refused_with_the_range() {
        type Percent = Bounded<u8, 1, 100>;
        assert_eq!(Percent::new(80).unwrap().get(), 80u8);
        assert_eq!(
            Percent::new(0).unwrap_err(),
            "must be between 1 and 100; got 0"
        );
        assert!(Percent::new(101).is_err());
        assert_eq!(
            "x".parse::<Percent>().unwrap_err(),
            "`x` is not a whole number"
        );
        type AtLeastOne = Bounded<u32, 1, { u64::MAX }>;
        assert_eq!(AtLeastOne::new(0).unwrap_err(), "must be at least 1; got 0");
        assert_eq!(
            AtLeastOne::new(1 << 40).unwrap_err(),
            "1099511627776 is too large"
        );
    }
}
