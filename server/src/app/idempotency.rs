//! One outcome per `Idempotency-Key`. A create that carries a key claims it (in a transaction
//! of its own) before it is decided; the transaction that writes its lease consumes the claim,
//! and a refusal drops it so that the key may be retried. A request that finds the key claimed
//! by another, still-running request with the same body waits for that outcome (then replays
//! it) for a short while, else answers 409 `idempotency_key_in_progress`; with another body it
//! answers 409 `idempotency_key_reused`. A claim whose holder died or froze is taken over once
//! it is stale (three request timeouts), and the frozen holder's write then fails for want of
//! its claim, so a key never makes two leases and never answers "no" while a lease is made.

use super::{App, Error};
use crate::store;
use slicebroker_types::TenantId;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How often a waiting request looks again.
const POLL: Duration = Duration::from_millis(50);

/// A claimed key, dropped when the request ends without consuming it (refused, failed, or the
/// client went away), so that the key is free again.
#[derive(Debug)]
pub struct Claim {
    app: App,
    pub tenant: TenantId,
    pub key: String,
    pub token: Uuid,
    settled: bool,
}

impl Claim {
    /// Drops the claim if the lease's transaction did not consume it (harmless if it did).
    pub async fn settle(mut self) {
        self.settled = true;
        if let Err(e) =
            store::idempotency::drop_claim(self.app.db(), self.tenant, &self.key, self.token).await
        {
            tracing::warn!(error = %store::describe(&e), "could not drop an idempotency claim; it goes stale");
        }
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        // The request was cancelled mid-way: free the key in the background.
        let (app, tenant, key, token) =
            (self.app.clone(), self.tenant, self.key.clone(), self.token);
        tokio::spawn(async move {
            let _ = store::idempotency::drop_claim(app.db(), tenant, &key, token).await;
        });
    }
}

/// Claims `key` for a request whose decided body hashes to `fingerprint`.
pub async fn claim(
    app: &App,
    tenant: TenantId,
    key: &str,
    fingerprint: &str,
) -> Result<Claim, Error> {
    let timeout = app.config().request_timeout();
    let stale_ms = i64::try_from(timeout.as_millis().saturating_mul(3)).unwrap_or(i64::MAX);
    let deadline = Instant::now() + (timeout / 2).min(Duration::from_secs(5));
    let token = Uuid::new_v4();
    loop {
        match store::idempotency::claim(app.db(), tenant, key, fingerprint, token, stale_ms).await?
        {
            Ok(()) => {
                return Ok(Claim {
                    app: app.clone(),
                    tenant,
                    key: key.to_owned(),
                    token,
                    settled: false,
                });
            }
            Err(held) if !held.fingerprint.is_empty() && held.fingerprint != fingerprint => {
                return Err(reused(key));
            }
            Err(_) if Instant::now() >= deadline => {
                return Err(Error::Conflict {
                    code: "idempotency_key_in_progress",
                    detail: format!(
                        "a request with Idempotency-Key `{key}` is still being decided; retry \
                         with the same key to get its outcome"
                    ),
                });
            }
            Err(_) => tokio::time::sleep(POLL).await,
        }
    }
}

/// The 409 for a key already used with another request.
pub fn reused(key: &str) -> Error {
    Error::Conflict {
        code: "idempotency_key_reused",
        detail: format!("Idempotency-Key `{key}` was used for a different request"),
    }
}

/// The 409 for a write whose claim was taken over while it was being decided.
pub fn lost(key: &str) -> Error {
    Error::Conflict {
        code: "idempotency_key_in_progress",
        detail: format!(
            "this request took too long and another request with Idempotency-Key `{key}` took \
             over; retry with the same key to get its outcome"
        ),
    }
}
