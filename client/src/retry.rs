//! Which calls are retried, after what, and for how long. Only calls the server cannot do
//! twice are: reads (`GET`, `HEAD`) and creates that carry an `Idempotency-Key` (the server
//! answers a repeat with the first outcome). Every other `POST`, `PATCH` and `DELETE` is sent
//! once, whatever happens.

use crate::error::ClientError;
use crate::response::Response;
use hyper::{Method, StatusCode};
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

/// How many attempts, for how long in all, and how far apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included; 1 turns retries off.
    pub max_attempts: u32,
    /// No retry starts once this much time has passed since the first attempt began.
    pub max_elapsed: Duration,
    /// The pause before the first retry; each later one doubles, up to `max_backoff`.
    pub first_backoff: Duration,
    /// The longest pause, also the most a server's `Retry-After` is waited for.
    pub max_backoff: Duration,
}

impl RetryPolicy {
    /// Each call is sent once (tests that check exact answers, callers with their own loop).
    pub const fn none() -> Self {
        Self {
            max_attempts: 1,
            max_elapsed: Duration::ZERO,
            first_backoff: Duration::ZERO,
            max_backoff: Duration::ZERO,
        }
    }

    /// The pause before retry number `retry` (1 for the first), jittered by ±20 % so clients
    /// that failed together do not come back together; a server's `Retry-After` is honoured
    /// (never waited for less, at most `max_backoff` plus the jitter).
    pub(crate) fn pause(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(after) => after.min(self.max_backoff).mul_f64(1.0 + jitter() * 0.2),
            None => {
                let doubled = self
                    .first_backoff
                    .saturating_mul(1 << retry.saturating_sub(1).min(16));
                doubled.min(self.max_backoff).mul_f64(0.8 + 0.4 * jitter())
            }
        }
    }
}

impl Default for RetryPolicy {
    /// Four attempts within 20 s, 250 ms apart doubling to 2 s.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(20),
            first_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(2),
        }
    }
}

/// Whether the server may see a call more than once without harm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Replay {
    /// `GET` and `HEAD`: reads.
    Read,
    /// A `POST` with an `Idempotency-Key`: a repeat returns the first outcome.
    KeyedCreate,
    /// Anything else.
    Never,
}

impl Replay {
    pub(crate) fn of(method: &Method, idempotency_key: bool) -> Self {
        if *method == Method::GET || *method == Method::HEAD {
            Replay::Read
        } else if *method == Method::POST && idempotency_key {
            Replay::KeyedCreate
        } else {
            Replay::Never
        }
    }
}

/// Whether to try again after `outcome`, and the server's `Retry-After` if it gave one:
/// connection failures, timeouts and broken answers, a 502 or 504 (a proxy's), a 503 that is
/// not `no_capacity` (the server's `unavailable`, or a proxy's), and for keyed creates a 409
/// `idempotency_key_in_progress`. TLS failures and every other answer are final.
pub(crate) fn retryable(
    replay: Replay,
    outcome: &Result<Response, ClientError>,
) -> Option<Option<Duration>> {
    if replay == Replay::Never {
        return None;
    }
    match outcome {
        Err(ClientError::Connect { .. } | ClientError::Timeout { .. }) => Some(None),
        Err(ClientError::Transport { .. }) => Some(None),
        Err(_) => None,
        Ok(r) => {
            let code = || r.problem().map(|p| p.code);
            match r.status {
                StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT => Some(r.retry_after()),
                StatusCode::SERVICE_UNAVAILABLE if code().as_deref() != Some("no_capacity") => {
                    Some(r.retry_after())
                }
                StatusCode::CONFLICT
                    if replay == Replay::KeyedCreate
                        && code().as_deref() == Some("idempotency_key_in_progress") =>
                {
                    Some(r.retry_after())
                }
                _ => None,
            }
        }
    }
}

/// A number in [0, 1), different on each call (std's random hasher keys, plus the time).
fn jitter() -> f64 {
    let random = RandomState::new().hash_one(std::time::SystemTime::now());
    (random % 10_000) as f64 / 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::HeaderMap;
    use hyper::body::Bytes;

    fn answer(status: u16, code: Option<&str>) -> Result<Response, ClientError> {
        let body = code.map_or_else(String::new, |c| {
            format!(r#"{{"type":"t","title":"x","status":{status},"detail":"d","code":"{c}"}}"#)
        });
        Ok(Response::new(
            Method::POST,
            "http://s/v1/leases".into(),
            StatusCode::from_u16(status).unwrap(),
            HeaderMap::new(),
            Bytes::from(body),
        ))
    }

    fn timeout() -> Result<Response, ClientError> {
        Err(ClientError::Timeout {
            method: Method::GET,
            url: "u".into(),
            after: Duration::from_secs(1),
        })
    }

    #[test]
    fn only_reads_and_keyed_creates_are_replayed() {
        assert_eq!(Replay::of(&Method::GET, false), Replay::Read);
        assert_eq!(Replay::of(&Method::GET, true), Replay::Read);
        assert_eq!(Replay::of(&Method::POST, true), Replay::KeyedCreate);
        assert_eq!(Replay::of(&Method::POST, false), Replay::Never);
        assert_eq!(Replay::of(&Method::PATCH, true), Replay::Never);
        assert_eq!(Replay::of(&Method::DELETE, false), Replay::Never);
        // A POST without a key is never retried, whatever happened.
        for outcome in [
            timeout(),
            answer(502, None),
            answer(503, Some("unavailable")),
        ] {
            assert_eq!(retryable(Replay::Never, &outcome), None);
        }
    }

    #[test]
    fn transient_failures_are_retried_and_answers_are_final() {
        for replay in [Replay::Read, Replay::KeyedCreate] {
            assert_eq!(retryable(replay, &timeout()), Some(None));
            assert!(retryable(replay, &answer(502, None)).is_some());
            assert!(retryable(replay, &answer(504, None)).is_some());
            assert!(retryable(replay, &answer(503, Some("unavailable"))).is_some());
            assert!(
                retryable(replay, &answer(503, None)).is_some(),
                "a proxy's 503"
            );
            for (status, code) in [
                (200, None),
                (201, None),
                (503, Some("no_capacity")),
                (500, Some("internal")),
                (400, Some("invalid_input")),
                (401, Some("unauthenticated")),
                (409, Some("idempotency_key_reused")),
                (422, Some("quota_exceeded")),
            ] {
                assert_eq!(
                    retryable(replay, &answer(status, code)),
                    None,
                    "{status} {code:?}"
                );
            }
        }
        let in_progress = answer(409, Some("idempotency_key_in_progress"));
        assert!(retryable(Replay::KeyedCreate, &in_progress).is_some());
        assert_eq!(retryable(Replay::Read, &in_progress), None);
        let tls = Err(ClientError::Tls {
            url: "https://s".into(),
            reason: "invalid peer certificate: UnknownIssuer".into(),
            source: "x".into(),
        });
        assert_eq!(retryable(Replay::Read, &tls), None);
    }

    #[test]
    fn pauses_double_up_to_the_cap_and_honour_retry_after() {
        let p = RetryPolicy {
            max_attempts: 10,
            max_elapsed: Duration::from_secs(60),
            first_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
        };
        let within = |d: Duration, lo: u64, hi: u64| {
            assert!(
                d >= Duration::from_millis(lo) && d < Duration::from_millis(hi),
                "{d:?} not in [{lo}, {hi}) ms"
            );
        };
        within(p.pause(1, None), 80, 120);
        within(p.pause(2, None), 160, 240);
        within(p.pause(3, None), 320, 480);
        within(p.pause(9, None), 800, 1200);
        within(p.pause(40, None), 800, 1200);
        within(p.pause(1, Some(Duration::from_millis(500))), 500, 600);
        within(p.pause(1, Some(Duration::from_secs(30))), 1000, 1200);
    }
}
