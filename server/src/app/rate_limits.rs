//! Per-tenant request rate limits: one token bucket per tenant in this replica's memory, so
//! with N replicas behind a balancer a tenant gets up to N times the limit. Fleet admins
//! (who belong to no tenant) and agents are not limited.

use super::Error;
use crate::domain::rate_limit::{Bucket, Limit};
use slicebroker_types::TenantId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug)]
pub struct RateLimits {
    limit: Option<Limit>,
    buckets: Mutex<HashMap<TenantId, Bucket>>,
}

/// Buckets are swept of full ones (idle tenants) when there are more than this.
const SWEEP_ABOVE: usize = 10_000;

impl RateLimits {
    /// `per_second` 0 turns limits off.
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self {
            limit: (per_second > 0).then(|| Limit {
                rate: f64::from(per_second),
                burst: f64::from(burst),
            }),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `tenant`, or refuses it with how long to wait.
    pub fn check(&self, tenant: TenantId) -> Result<(), Error> {
        let Some(limit) = self.limit else {
            return Ok(());
        };
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap();
        if buckets.len() > SWEEP_ABOVE {
            buckets.retain(|_, b| !b.is_full(limit, now));
        }
        buckets
            .entry(tenant)
            .or_insert_with(|| Bucket::new(limit, now))
            .take(limit, now)
            .map_err(|wait| Error::RateLimited {
                // Whole seconds, rounded up: `Retry-After` has no fractions.
                retry_after_secs: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            })
    }
}
