//! A secret string (database URL, API key, enrollment token, agent credential) that never
//! shows in logs: `Debug` prints `[redacted]`, and the value is only reachable through
//! [`Secret::expose`]. Shared by the server's config and the agent's.

use serde::Deserialize;
use std::fmt;
use std::str::FromStr;

#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that sends or stores it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl FromStr for Secret {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Err("must not be empty");
        }
        Ok(Self(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let s: Secret = " sbe_topsecret \n".parse().unwrap();
        assert_eq!(s.expose(), "sbe_topsecret");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(s)), "Some([redacted])");
        assert!("  ".parse::<Secret>().is_err());
    }
}
