//! The delivery worker: every replica runs one. It claims due deliveries from the outbox
//! (`store::webhooks::claim_due`: `SKIP LOCKED` plus a claim that runs out, so never two
//! replicas at once and a killed replica's deliveries are taken over: at least once), sends
//! them concurrently, and records each try: 2xx is delivered; anything else is retried with
//! exponential backoff and jitter until `webhook_retry_for` has passed, then failed.
//!
//! The body carries the event and the tenant as they were, and the lease as the API shows it
//! when the delivery is sent (so a retried `activated` may show a lease that has since moved
//! on; `event` says what happened, `lease` what is true now).

use super::send::{Answer, Sender};
use crate::app::{App, Error};
use crate::domain::webhook;
use crate::store::{self, webhooks::Claimed};
use chrono::Utc;
use slicebroker_types::api::{DeliveryState, Lease, LeaseEvent, WebhookFormat};
use std::time::{Duration, Instant};

/// Deliveries claimed per pass; a full batch starts the next pass at once.
const BATCH: i64 = 64;

/// Runs until the process ends.
pub fn spawn(app: App) {
    let config = app.config();
    let sender = Sender::new(
        config.webhook_allow_private_targets,
        config.webhook_timeout(),
        config.webhook_response_limit_bytes.get(),
    );
    tokio::spawn(async move {
        let mut wake = app.wakeups().subscribe_webhooks();
        loop {
            wake.borrow_and_update();
            let claimed = match pass(&app, &sender).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e.chain(), "webhook pass failed; retrying");
                    0
                }
            };
            if claimed as i64 == BATCH {
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep(app.config().webhook_poll_interval()) => {}
                _ = wake.changed() => {}
            }
        }
    });
}

/// How long a claim lasts: the try's timeout, with room for reading the lease and recording.
fn claim_for(timeout: Duration) -> Duration {
    timeout * 2 + Duration::from_secs(1)
}

/// Claims one batch and sends it; returns how many were claimed.
pub async fn pass(app: &App, sender: &Sender) -> Result<usize, Error> {
    let claimed =
        store::webhooks::claim_due(app.db(), BATCH, claim_for(app.config().webhook_timeout()))
            .await?;
    let n = claimed.len();
    let mut tasks = tokio::task::JoinSet::new();
    for c in claimed {
        let (app, sender) = (app.clone(), sender.clone());
        tasks.spawn(async move {
            let id = c.id;
            if let Err(e) = deliver(&app, &sender, c).await {
                tracing::warn!(delivery = %id, error = %e.chain(), "webhook delivery not recorded; its claim runs out and it is sent again");
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    Ok(n)
}

async fn deliver(app: &App, sender: &Sender, c: Claimed) -> Result<(), Error> {
    let started = Instant::now();
    let body = body(app, &c).await?;
    let t = Utc::now().timestamp();
    let headers = [
        ("content-type", "application/json".to_owned()),
        ("user-agent", "slicebroker-webhooks".to_owned()),
        ("x-slicebroker-delivery", c.id.to_string()),
        ("x-slicebroker-event", c.kind.clone()),
        (
            "x-slicebroker-signature",
            webhook::signature(&c.secret, t, &body),
        ),
    ];
    let answer = sender.post(&c.url, &headers, body).await;
    let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    let now = Utc::now();
    let (status_code, error) = match &answer {
        Answer::Status(s) => (Some(i32::from(*s)), None),
        Answer::Refused(e) | Answer::NoAnswer(e) => (None, Some(e.as_str())),
    };
    let ok = matches!(answer, Answer::Status(200..=299));
    let wait = webhook::backoff(
        app.config().webhook_retry_initial(),
        u32::try_from(c.attempts).unwrap_or(1),
        jitter(),
    );
    let next = now + chrono::Duration::from_std(wait).unwrap_or_default();
    let window_end = c.window_start
        + chrono::Duration::from_std(app.config().webhook_retry_for()).unwrap_or_default();
    let state = if ok {
        DeliveryState::Delivered
    } else if next > window_end {
        DeliveryState::Failed
    } else {
        DeliveryState::Pending
    };
    let (outcome, latency) = match state {
        DeliveryState::Delivered => {
            let since = (now - c.window_start).num_milliseconds().max(0) as f64 / 1000.0;
            ("delivered", Some(since))
        }
        DeliveryState::Failed => ("failed", None),
        DeliveryState::Pending => ("retried", None),
    };
    app.metrics().webhook_try(outcome, latency);
    if !ok {
        tracing::info!(delivery = %c.id, webhook = %c.webhook_id, attempt = c.attempts, ?status_code, error, ?state, "webhook delivery not accepted");
    }
    let mut tx = app.db().begin().await?;
    store::webhooks::record(
        &mut tx,
        c.id,
        c.claim,
        store::webhooks::Outcome {
            status_code,
            duration_ms,
            error,
            state,
            next_attempt_at: next,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// 0.5 to 1.5.
fn jitter() -> f64 {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).expect("the OS random source is available");
    0.5 + f64::from(u32::from_le_bytes(b)) / f64::from(u32::MAX)
}

/// The body in the webhook's format.
async fn body(app: &App, c: &Claimed) -> Result<Vec<u8>, Error> {
    let mut conn = app.db().acquire().await?;
    let event = store::webhooks::event(&mut *conn, c.event_id).await?;
    let lease = store::leases::get(&mut conn, c.lease_id, None)
        .await?
        .ok_or_else(|| Error::internal("a delivery's lease is gone"))?;
    let tenant = store::webhooks::tenant_name(&mut *conn, lease.tenant_id).await?;
    let value = match WebhookFormat::parse(&c.format).unwrap_or_default() {
        WebhookFormat::Json => serde_json::json!({
            "delivery_id": c.id,
            "webhook_id": c.webhook_id,
            "kind": c.kind,
            "event": event,
            "lease": lease,
            "tenant": { "id": lease.tenant_id, "name": tenant },
        }),
        WebhookFormat::Slack => serde_json::json!({
            "text": slack_line(app.config().public_url.as_deref(), &c.kind, &event, &lease, &tenant),
        }),
    };
    Ok(serde_json::to_vec(&value).expect("serialisable"))
}

/// One readable line: what happened to which lease of which tenant, with a link to it.
fn slack_line(
    public_url: Option<&str>,
    kind: &str,
    event: &LeaseEvent,
    lease: &Lease,
    tenant: &str,
) -> String {
    let link = match public_url {
        Some(base) => format!("{}/leases/{}", base.trim_end_matches('/'), lease.id),
        None => format!("/v1/leases/{}", lease.id),
    };
    let reason = lease
        .end_reason
        .filter(|_| kind == "ended")
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    format!(
        "slicebroker: lease {} of {tenant} ({} × {}) is {kind}{reason} at {}: <{link}|open>",
        lease.id,
        lease.count,
        lease.request,
        event.at.format("%Y-%m-%d %H:%M:%SZ"),
    )
}
