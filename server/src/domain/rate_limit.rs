//! A token bucket: `rate` requests a second on average, `burst` at once. Pure: the caller
//! passes the time, so tests need no clock.

use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limit {
    /// Tokens added per second.
    pub rate: f64,
    /// The most tokens the bucket holds.
    pub burst: f64,
}

#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// A full bucket.
    pub fn new(limit: Limit, now: Instant) -> Self {
        Self {
            tokens: limit.burst,
            at: now,
        }
    }

    /// Takes one token, or says how long until one is there.
    pub fn take(&mut self, limit: Limit, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * limit.rate).min(limit.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / limit.rate))
        }
    }

    /// Whether the bucket has filled up again by `now` (and can be forgotten).
    pub fn is_full(&self, limit: Limit, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens + elapsed * limit.rate >= limit.burst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_allowed_then_the_rate_and_the_wait_is_until_the_next_token() {
        let limit = Limit {
            rate: 2.0,
            burst: 3.0,
        };
        let t0 = Instant::now();
        let mut b = Bucket::new(limit, t0);
        for _ in 0..3 {
            assert_eq!(b.take(limit, t0), Ok(()));
        }
        let wait = b.take(limit, t0).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(b.take(limit, t0 + Duration::from_millis(250)).is_err());
        assert_eq!(b.take(limit, t0 + Duration::from_millis(500)), Ok(()));
        assert!(!b.is_full(limit, t0 + Duration::from_millis(500)));
        assert!(b.is_full(limit, t0 + Duration::from_secs(2)));
        // Idle time never fills past the burst.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(b.take(limit, later), Ok(()));
        }
        assert!(b.take(limit, later).is_err());
    }
}
