//! Creating a lease: the request validated into a [`Plan`], its `Idempotency-Key` claimed,
//! then written by the one write path (`write`), through the group-commit writer when it runs
//! (a lone request is a batch of one either way).

use super::DurationSeconds;
use crate::app::auth::Principal;
use crate::app::{App, Error, idempotency};
use crate::domain::{classes, validate};
use chrono::{DateTime, SubsecRound, Timelike, Utc};
use slicebroker_types::api::{Lease, LeaseCreate, SliceClass};
use slicebroker_types::{GpuModel, ModelId, ProfileRequest, TenantId, limits};
use std::collections::BTreeMap;
use std::sync::Arc;
use uuid::Uuid;

/// What a create came to.
#[derive(Debug)]
pub enum Created {
    /// Granted now: `provisioning`.
    New(Lease),
    /// Nothing fitted and the request asked to wait: `pending`.
    Queued(Lease),
    /// An earlier request with the same `Idempotency-Key` and body made this lease.
    Replayed(Lease),
    /// Booked ahead: `booked`, its placement pinned for its window.
    Booked(Lease),
}

impl Created {
    pub fn lease(&self) -> &Lease {
        match self {
            Self::New(l) | Self::Queued(l) | Self::Replayed(l) | Self::Booked(l) => l,
        }
    }
}

/// A validated request.
#[derive(Debug)]
pub(super) struct Plan {
    pub(super) request: ProfileRequest,
    /// `request` as stored and echoed back.
    pub(super) request_text: String,
    pub(super) models: Vec<ModelId>,
    /// `models` as catalog keys, as stored with the lease.
    pub(super) model_keys: Vec<String>,
    pub(super) duration: i64,
    pub(super) count: usize,
    pub(super) idle_timeout: Option<i64>,
    pub(super) priority: i32,
    pub(super) labels: BTreeMap<String, String>,
    pub(super) wait: bool,
    /// A booking's start; `None` for a lease wanted now.
    pub(super) start: Option<DateTime<Utc>>,
    /// The slice class it comes from (`domain::classes`), if any.
    pub(super) class: Option<String>,
    /// SHA-256 (hex) of all of the above: what an `Idempotency-Key` is bound to.
    pub(super) fingerprint: String,
}

impl Plan {
    fn fingerprint(&self) -> String {
        use sha2::Digest;
        let mut canonical = serde_json::json!({
            "request": self.request_text,
            "models": self.model_keys,
            "duration": self.duration,
            "count": self.count,
            "idle_timeout": self.idle_timeout,
            "priority": self.priority,
            "labels": self.labels,
            "wait": self.wait,
            "start": self.start,
        });
        // Only when set, so that fingerprints of requests without a class stay as they were.
        if let Some(class) = &self.class {
            canonical["class"] = serde_json::json!(class);
        }
        let digest = sha2::Sha256::digest(canonical.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

fn validate_create(req: LeaseCreate, class: Option<&SliceClass>) -> Result<Plan, Error> {
    let request = match (&req.profile, req.min_memory_gib) {
        (None, None) if class.is_some() => None,
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "profile",
                "give either `profile` or `min_memory_gib`, not both",
            ));
        }
        (Some(p), None) if p.len() > 64 => {
            return Err(Error::invalid("profile", "at most 64 characters"));
        }
        (Some(p), None) => {
            Some(ProfileRequest::parse(p).map_err(|e| Error::invalid("profile", e.to_string()))?)
        }
        (None, Some(gib)) => {
            if !(1..=limits::MAX_MIN_MEMORY_GIB).contains(&gib) {
                return Err(Error::invalid(
                    "min_memory_gib",
                    format!("must be between 1 and {}", limits::MAX_MIN_MEMORY_GIB),
                ));
            }
            let compute = req.min_compute_slices.unwrap_or(1);
            if !(1..=limits::MAX_MIN_COMPUTE_SLICES).contains(&compute) {
                return Err(Error::invalid(
                    "min_compute_slices",
                    format!("must be between 1 and {}", limits::MAX_MIN_COMPUTE_SLICES),
                ));
            }
            Some(ProfileRequest::Need {
                min_memory_gib: gib,
                min_compute_slices: compute,
            })
        }
        (None, None) => {
            return Err(Error::invalid(
                "profile",
                "give `class`, `profile` (like `2g.20gb` or `3g`) or `min_memory_gib`",
            ));
        }
    };
    if req.gpu_models.len() > limits::MAX_MODELS {
        return Err(Error::invalid(
            "gpu_models",
            format!("at most {} models", limits::MAX_MODELS),
        ));
    }
    let mut models = Vec::new();
    for (i, m) in req.gpu_models.iter().enumerate() {
        models.push(GpuModel::parse(m).map_err(|e| {
            Error::invalid(
                limits::pointer(&["gpu_models", &i.to_string()]),
                e.to_string(),
            )
        })?);
    }
    if let Some(request) = &request {
        request
            .resolve(&models)
            .map_err(|e| Error::invalid("profile", e.to_string()))?;
    }
    let duration = req
        .duration
        .as_ref()
        .map(|d| d.seconds_of("duration"))
        .transpose()?;
    let idle_timeout = req
        .idle_timeout
        .as_ref()
        .map(|d| d.seconds_of("idle_timeout"))
        .transpose()?;
    let priority = req.priority;
    if priority.is_some_and(|p| !limits::PRIORITY.contains(&p)) {
        return Err(Error::invalid("priority", "must be between -100 and 100"));
    }
    // A class fills what the request leaves out; what it gives may only narrow the class.
    let (request, models, duration, idle_timeout, priority) = match class {
        Some(class) => {
            let t = classes::narrow(
                class,
                classes::Asked {
                    request,
                    models,
                    duration,
                    idle_timeout,
                    priority,
                },
            )?;
            (
                t.request,
                t.models,
                t.duration,
                Some(t.idle_timeout),
                t.priority,
            )
        }
        None => (
            request.ok_or_else(|| Error::invalid("profile", "give `profile` or `class`"))?,
            models,
            duration.ok_or_else(|| Error::invalid("duration", "required without `class`"))?,
            idle_timeout,
            priority.unwrap_or(0),
        ),
    };
    let count = req.count.unwrap_or(1);
    if !(1..=limits::MAX_COUNT).contains(&count) {
        return Err(Error::invalid(
            "count",
            format!("must be between 1 and {}", limits::MAX_COUNT),
        ));
    }
    validate::labels(&req.labels)?;
    let start = match req.start {
        Some(start) => Some(booking_start(start, Utc::now(), req.wait)?),
        None => None,
    };
    let mut plan = Plan {
        request_text: request.to_string(),
        request,
        model_keys: models
            .iter()
            .map(|m| GpuModel::get(*m).key.to_owned())
            .collect(),
        models,
        priority,
        duration,
        count: count as usize,
        idle_timeout,
        labels: req.labels,
        wait: req.wait,
        start,
        class: class.map(|c| c.name.clone()),
        fingerprint: String::new(),
    };
    plan.fingerprint = plan.fingerprint();
    Ok(plan)
}

/// A booking's start, checked against its bounds: later than `now`, at most
/// [`limits::MAX_BOOKING_AHEAD_SECONDS`] ahead, and not with `wait` (a booking never queues).
/// Kept to microseconds, as the database keeps it.
fn booking_start(
    start: DateTime<Utc>,
    now: DateTime<Utc>,
    wait: bool,
) -> Result<DateTime<Utc>, Error> {
    if wait {
        return Err(Error::invalid(
            "start",
            "a booking does not wait in the queue: give `start` or `wait`, not both",
        ));
    }
    if start <= now {
        return Err(Error::invalid("start", "must be in the future"));
    }
    // chrono reads `:60` as a leap second, which PostgreSQL stores as the next minute while
    // the window's end would be computed from `:59`.
    if start.nanosecond() >= 1_000_000_000 {
        return Err(Error::invalid(
            "start",
            "a leap second (`:60`) cannot start a booking: give `:59` or the next minute",
        ));
    }
    if limits::add_seconds(now, limits::MAX_BOOKING_AHEAD_SECONDS).is_none_or(|max| start > max) {
        return Err(Error::invalid(
            "start",
            format!(
                "at most {} days ahead",
                limits::MAX_BOOKING_AHEAD_SECONDS / 86_400
            ),
        ));
    }
    Ok(start.trunc_subsecs(6))
}

/// Creates a lease for the caller's tenant.
pub async fn lease_create(
    app: &App,
    who: &Principal,
    req: LeaseCreate,
    idempotency_key: Option<&str>,
) -> Result<Created, Error> {
    if !who.role.can_write_leases() {
        return Err(Error::Forbidden("viewers cannot create leases".into()));
    }
    let tenant_id = match req.tenant_id {
        None => who.own_tenant()?,
        Some(t) if !who.is_admin() && who.tenant == Some(t) => t,
        Some(_) if !who.is_admin() => {
            return Err(Error::Forbidden(
                "only admins may book for another tenant (`tenant_id`)".into(),
            ));
        }
        Some(_) if req.start.is_none() => {
            return Err(Error::invalid(
                "tenant_id",
                "admins book ahead for a tenant: give `start` too",
            ));
        }
        Some(t) => {
            if crate::store::tenants::get(app.db(), t).await?.is_none() {
                return Err(Error::invalid(
                    "tenant_id",
                    format!("no tenant has the id {t}"),
                ));
            }
            t
        }
    };
    if let Some(k) = idempotency_key
        && (k.is_empty() || k.len() > 200 || !k.bytes().all(|b| b.is_ascii_graphic()))
    {
        return Err(Error::invalid(
            "Idempotency-Key",
            "must be 1-200 visible ASCII characters (no spaces)",
        ));
    }
    let class = match &req.class {
        Some(name) => Some(crate::app::classes::for_lease(app.db(), tenant_id, name).await?),
        None => None,
    };
    let plan = validate_create(req, class.as_ref())?;
    let started = std::time::Instant::now();
    let claim = match idempotency_key {
        Some(key) => Some(idempotency::claim(app, tenant_id, key, &plan.fingerprint).await?),
        None => None,
    };
    let request = Arc::new(CreateRequest {
        who: who.clone(),
        tenant_id,
        plan,
        idempotency_key: idempotency_key.map(str::to_owned),
        claim: claim.as_ref().map(|c| c.token),
    });
    let out = match app.writers() {
        Some(writers) => writers.create(request).await,
        None => super::write::creates(app, std::slice::from_ref(&request))
            .await
            .pop()
            .expect("one answer per request"),
    };
    if let Some(claim) = claim {
        claim.settle().await;
    }
    let outcome = match &out {
        Ok(Created::New(_)) => Some("granted"),
        Ok(Created::Booked(_)) => Some("booked"),
        Ok(Created::Queued(_)) => Some("queued"),
        Ok(Created::Replayed(_)) | Err(_) => None,
    };
    if let Some(outcome) = outcome {
        app.metrics()
            .created(outcome, started.elapsed().as_secs_f64());
    }
    out
}

/// A validated create request, as the write path takes it.
#[derive(Debug)]
pub(crate) struct CreateRequest {
    pub(super) who: Principal,
    pub(super) tenant_id: TenantId,
    pub(super) plan: Plan,
    pub(super) idempotency_key: Option<String>,
    /// The token of this request's claim on its key (`app::idempotency`).
    pub(super) claim: Option<Uuid>,
}

impl CreateRequest {
    /// The claim a grant of this request consumes: (tenant, key, token).
    pub(super) fn claim(&self) -> Option<(TenantId, &str, Uuid)> {
        Some((
            self.tenant_id,
            self.idempotency_key.as_deref()?,
            self.claim?,
        ))
    }
}
