//! Revoked API keys refuse the tokens already minted from them, within a bound. Each replica
//! remembers, per key, whether it was revoked when last looked up; a key looked up longer
//! than `key_revocation_delay` ago is looked up again (one primary-key read per key per
//! period, not per request). The replica that revokes a key refuses its tokens at once; the
//! others within `key_revocation_delay`.

use super::Error;
use crate::store;
use slicebroker_types::ApiKeyId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Revocations {
    period: Duration,
    /// Per key: revoked (or gone), and when that was read.
    seen: Mutex<HashMap<ApiKeyId, (bool, Instant)>>,
}

const REVOKED: &str = "the token's API key has been revoked";

impl Revocations {
    pub fn new(period: Duration) -> Self {
        Self {
            period,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Refuses a token of a key that is revoked or no longer exists.
    pub async fn check(&self, db: &sqlx::PgPool, key: ApiKeyId) -> Result<(), Error> {
        let now = Instant::now();
        let cached = self.seen.lock().unwrap().get(&key).copied();
        let revoked = match cached {
            Some((true, _)) => true,
            Some((false, at)) if now.duration_since(at) < self.period => false,
            _ => {
                let revoked = store::api_keys::get(db, key)
                    .await?
                    .is_none_or(|k| k.revoked_at.is_some());
                let mut seen = self.seen.lock().unwrap();
                // A revocation here since the read wins over what the read saw.
                let revoked = revoked || seen.get(&key).is_some_and(|(r, _)| *r);
                seen.insert(key, (revoked, now));
                revoked
            }
        };
        if revoked {
            Err(Error::Unauthenticated(REVOKED))
        } else {
            Ok(())
        }
    }

    /// This replica revoked `key`: its tokens are refused here from now on.
    pub fn revoked(&self, key: ApiKeyId) {
        self.seen
            .lock()
            .unwrap()
            .insert(key, (true, Instant::now()));
    }
}
