//! Waiting for something to become true: poll with a deadline, never a bare sleep, and on
//! timeout say what was seen last.

use std::fmt::Debug;
use std::time::{Duration, Instant};

/// What a check answers: the value waited for, or what it saw instead.
pub trait Check {
    type Value;
    fn into_result(self) -> Result<Self::Value, String>;
}

/// `Err(seen)`: what the check saw instead, shown if the wait times out.
impl<T, S: Debug> Check for Result<T, S> {
    type Value = T;
    fn into_result(self) -> Result<T, String> {
        self.map_err(|seen| format!("{seen:?}"))
    }
}

impl<T> Check for Option<T> {
    type Value = T;
    fn into_result(self) -> Result<T, String> {
        self.ok_or_else(|| "None".into())
    }
}

impl Check for bool {
    type Value = ();
    fn into_result(self) -> Result<(), String> {
        if self { Ok(()) } else { Err("false".into()) }
    }
}

/// Polls `check` (every 10 ms, backing off to 200 ms) until it answers `Ok`/`Some`/`true`, and
/// returns the value. After `deadline` it panics naming `what` and the last thing `check` saw.
pub async fn wait_until<C: Check>(
    deadline: Duration,
    what: &str,
    mut check: impl AsyncFnMut() -> C,
) -> C::Value {
    let start = Instant::now();
    let mut pause = Duration::from_millis(10);
    loop {
        let seen = match check().await.into_result() {
            Ok(v) => return v,
            Err(seen) => seen,
        };
        assert!(
            start.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}; last saw: {seen}"
        );
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(200));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_value_comes_back_once_the_check_holds() {
        let mut n = 0;
        let got = wait_until(Duration::from_secs(5), "three", async || {
            n += 1;
            if n == 3 { Ok(n) } else { Err(n) }
        })
        .await;
        assert_eq!(got, 3);
    }

    #[tokio::test]
    #[should_panic(expected = "waiting for the state to be active; last saw: \"pending\"")]
    async fn a_timeout_says_what_was_seen_last() {
        wait_until(
            Duration::from_millis(30),
            "the state to be active",
            async || Err::<(), _>("pending"),
        )
        .await;
    }
}
