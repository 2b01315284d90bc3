//! `webhooks`, `webhook_deliveries` (the outbox, filled by a trigger on `lease_events`:
//! migrations/0014_webhooks.sql) and `webhook_attempts`. Deliveries are claimed with
//! `FOR UPDATE SKIP LOCKED` and a lease on the claim (`claimed_until`), so any replica may
//! deliver, never two at once, and a dead replica's claim runs out and another takes it.

use chrono::{DateTime, Utc};
use slicebroker_types::api::{
    DeliveryState, LeaseEvent, Webhook, WebhookAttempt, WebhookDelivery, WebhookFormat, WebhookKind,
};
use slicebroker_types::{DeliveryId, LeaseId, TenantId, WebhookId};
use sqlx::PgExecutor;
use std::collections::HashMap;
use std::time::Duration;
use uuid::Uuid;

struct Row {
    id: WebhookId,
    tenant_id: Option<TenantId>,
    url: String,
    kinds: Vec<String>,
    format: String,
    enabled: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<Row> for Webhook {
    fn from(r: Row) -> Self {
        Webhook {
            id: r.id,
            tenant_id: r.tenant_id,
            url: r.url,
            // The server writes only known kinds; one it no longer knows is not shown.
            kinds: r
                .kinds
                .iter()
                .filter_map(|k| WebhookKind::parse(k))
                .collect(),
            format: WebhookFormat::parse(&r.format).unwrap_or_default(),
            enabled: r.enabled,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn names(kinds: &[WebhookKind]) -> Vec<String> {
    kinds.iter().map(|k| k.as_str().to_owned()).collect()
}

#[derive(Debug)]
pub struct NewWebhook<'a> {
    pub tenant_id: Option<TenantId>,
    pub url: &'a str,
    pub kinds: &'a [WebhookKind],
    pub format: WebhookFormat,
    pub enabled: bool,
    pub secret: &'a str,
}

pub async fn insert(db: impl PgExecutor<'_>, w: NewWebhook<'_>) -> Result<Webhook, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "INSERT INTO webhooks (id, tenant_id, url, kinds, format, enabled, secret)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         RETURNING id, tenant_id, url, kinds, format, enabled, created_at, updated_at",
        WebhookId::new().get(),
        w.tenant_id.map(TenantId::get),
        w.url,
        &names(w.kinds),
        w.format.as_str(),
        w.enabled,
        w.secret,
    )
    .fetch_one(db)
    .await
    .map(Webhook::from)
}

/// How many webhooks the tenant (`None`: fleet-wide) has.
pub async fn count(db: impl PgExecutor<'_>, tenant: Option<TenantId>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM webhooks WHERE tenant_id IS NOT DISTINCT FROM $1"#,
        tenant.map(TenantId::get)
    )
    .fetch_one(db)
    .await
}

/// The tenant's (`None`: the fleet-wide) webhooks, oldest first.
pub async fn list(
    db: impl PgExecutor<'_>,
    tenant: Option<TenantId>,
) -> Result<Vec<Webhook>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "SELECT id, tenant_id, url, kinds, format, enabled, created_at, updated_at
         FROM webhooks WHERE tenant_id IS NOT DISTINCT FROM $1 ORDER BY created_at, id",
        tenant.map(TenantId::get)
    )
    .fetch_all(db)
    .await
    .map(|rows| rows.into_iter().map(Webhook::from).collect())
}

/// The webhook, if it belongs to `tenant` (`None`: fleet-wide).
pub async fn get(
    db: impl PgExecutor<'_>,
    tenant: Option<TenantId>,
    id: WebhookId,
) -> Result<Option<Webhook>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "SELECT id, tenant_id, url, kinds, format, enabled, created_at, updated_at
         FROM webhooks WHERE id = $1 AND tenant_id IS NOT DISTINCT FROM $2",
        id.get(),
        tenant.map(TenantId::get)
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(Webhook::from))
}

/// Writes every field of `w` but its id, tenant and creation time.
pub async fn update(db: impl PgExecutor<'_>, w: &Webhook) -> Result<Webhook, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "UPDATE webhooks SET url = $2, kinds = $3, format = $4, enabled = $5, updated_at = now()
         WHERE id = $1
         RETURNING id, tenant_id, url, kinds, format, enabled, created_at, updated_at",
        w.id.get(),
        w.url,
        &names(&w.kinds),
        w.format.as_str(),
        w.enabled,
    )
    .fetch_one(db)
    .await
    .map(Webhook::from)
}

pub async fn set_secret(
    db: impl PgExecutor<'_>,
    id: WebhookId,
    secret: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE webhooks SET secret = $2, updated_at = now() WHERE id = $1",
        id.get(),
        secret
    )
    .execute(db)
    .await
    .map(drop)
}

/// Deletes the webhook with its deliveries and their history.
pub async fn delete(db: impl PgExecutor<'_>, id: WebhookId) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM webhooks WHERE id = $1", id.get())
        .execute(db)
        .await
        .map(drop)
}

/// A delivery this replica claimed, with what it needs to send it.
#[derive(Debug)]
pub struct Claimed {
    pub id: DeliveryId,
    pub claim: Uuid,
    pub webhook_id: WebhookId,
    pub lease_id: LeaseId,
    pub event_id: i64,
    pub kind: String,
    pub attempts: i32,
    pub window_start: DateTime<Utc>,
    pub url: String,
    pub format: String,
    pub secret: String,
}

/// Claims up to `limit` due deliveries for `claim_for`: pending, of an enabled webhook (a
/// disabled one's wait), not claimed by a live claim, and the first pending one of their
/// lease for their webhook (a lease's events reach a receiver in order). Counts the attempt now, so a replica killed mid-send still counts.
pub async fn claim_due(
    db: impl PgExecutor<'_>,
    limit: i64,
    claim_for: Duration,
) -> Result<Vec<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        r#"WITH picked AS (
               SELECT c.id FROM webhook_deliveries c
               WHERE c.state = 'pending' AND c.next_attempt_at <= now()
                 AND (c.claimed_until IS NULL OR c.claimed_until < now())
                 AND EXISTS (SELECT 1 FROM webhooks w WHERE w.id = c.webhook_id AND w.enabled)
                 AND NOT EXISTS (
                     SELECT 1 FROM webhook_deliveries p
                     WHERE p.state = 'pending' AND p.webhook_id = c.webhook_id
                       AND p.lease_id = c.lease_id AND p.event_id < c.event_id)
               ORDER BY c.next_attempt_at, c.event_id
               LIMIT $1
               FOR UPDATE SKIP LOCKED),
           claimed AS (
               UPDATE webhook_deliveries d
               SET claimed_until = now() + make_interval(secs => $2), claim = gen_random_uuid(),
                   attempts = d.attempts + 1
               FROM picked WHERE d.id = picked.id
               RETURNING d.id, d.claim, d.webhook_id, d.lease_id, d.event_id, d.kind, d.attempts,
                   d.window_start)
           SELECT c.id AS "id!: DeliveryId", c.claim AS "claim!", c.webhook_id AS "webhook_id!: WebhookId",
               c.lease_id AS "lease_id!: LeaseId", c.event_id AS "event_id!", c.kind AS "kind!",
               c.attempts AS "attempts!", c.window_start AS "window_start!", w.url, w.format,
               w.secret
           FROM claimed c JOIN webhooks w ON w.id = c.webhook_id"#,
        limit,
        claim_for.as_secs_f64(),
    )
    .fetch_all(db)
    .await
}

/// The lease event a delivery carries.
pub async fn event(db: impl PgExecutor<'_>, id: i64) -> Result<LeaseEvent, sqlx::Error> {
    sqlx::query_as!(
        LeaseEvent,
        "SELECT id, kind, from_state, to_state, detail, actor, at FROM lease_events WHERE id = $1",
        id
    )
    .fetch_one(db)
    .await
}

/// One try's outcome.
#[derive(Debug)]
pub struct Outcome<'a> {
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    pub error: Option<&'a str>,
    /// `Delivered`/`Failed` end it; `Pending` retries at `next_attempt_at`.
    pub state: DeliveryState,
    pub next_attempt_at: DateTime<Utc>,
}

/// Records a try and what comes next, if the claim is still ours (a claim that ran out and was
/// taken by another replica leaves the state to that one; the try is recorded either way).
pub async fn record(
    tx: &mut super::Tx<'_>,
    id: DeliveryId,
    claim: Uuid,
    o: Outcome<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO webhook_attempts (delivery_id, status_code, duration_ms, error)
         VALUES ($1, $2, $3, $4)",
        id.get(),
        o.status_code,
        o.duration_ms,
        o.error,
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE webhook_deliveries
         SET state = $3, next_attempt_at = $4, claimed_until = NULL, claim = NULL,
             finished_at = CASE WHEN $5 THEN NULL ELSE now() END
         WHERE id = $1 AND claim = $2",
        id.get(),
        claim,
        o.state as DeliveryState,
        o.next_attempt_at,
        o.state == DeliveryState::Pending,
    )
    .execute(&mut **tx)
    .await
    .map(drop)
}

/// The webhook's deliveries, newest first, with their last 20 attempts each.
pub async fn deliveries(
    db: &mut sqlx::PgConnection,
    webhook: WebhookId,
    limit: i64,
    before: Option<DeliveryId>,
) -> Result<Option<Vec<WebhookDelivery>>, sqlx::Error> {
    let after = match before {
        None => None,
        Some(id) => {
            let at = sqlx::query!(
                "SELECT created_at, event_id FROM webhook_deliveries
                 WHERE id = $1 AND webhook_id = $2",
                id.get(),
                webhook.get()
            )
            .fetch_optional(&mut *db)
            .await?;
            match at {
                Some(r) => Some((r.created_at, r.event_id, id.get())),
                None => return Ok(None),
            }
        }
    };
    let (at, event, id) = match after {
        Some((at, event, id)) => (Some(at), Some(event), Some(id)),
        None => (None, None, None),
    };
    let rows = sqlx::query!(
        r#"SELECT d.id AS "id: DeliveryId", d.lease_id, d.event_id, d.kind,
               d.state AS "state: DeliveryState", d.attempts, d.next_attempt_at, d.created_at,
               d.finished_at,
               (SELECT p.id FROM webhook_deliveries p
                WHERE d.state = 'pending' AND p.state = 'pending'
                    AND p.webhook_id = d.webhook_id AND p.lease_id = d.lease_id
                    AND p.event_id < d.event_id
                ORDER BY p.event_id LIMIT 1) AS "waiting_for: DeliveryId"
           FROM webhook_deliveries d
           WHERE d.webhook_id = $1
               AND ($3::timestamptz IS NULL OR (d.created_at, d.event_id, d.id) < ($3, $4, $5))
           ORDER BY d.created_at DESC, d.event_id DESC, d.id DESC LIMIT $2"#,
        webhook.get(),
        limit,
        at,
        event,
        id,
    )
    .fetch_all(&mut *db)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id.get()).collect();
    let attempts = sqlx::query!(
        r#"SELECT delivery_id, status_code, duration_ms, error, at FROM (
               SELECT a.*, row_number() OVER (PARTITION BY delivery_id ORDER BY id DESC) AS n
               FROM webhook_attempts a WHERE delivery_id = ANY($1)) t
           WHERE n <= 20 ORDER BY id"#,
        &ids
    )
    .fetch_all(&mut *db)
    .await?;
    let mut history: HashMap<DeliveryId, Vec<WebhookAttempt>> = HashMap::new();
    for a in attempts {
        history
            .entry(a.delivery_id)
            .or_default()
            .push(WebhookAttempt {
                status_code: a.status_code,
                duration_ms: a.duration_ms,
                error: a.error,
                at: a.at,
            });
    }
    Ok(Some(
        rows.into_iter()
            .filter_map(|r| {
                Some(WebhookDelivery {
                    id: r.id,
                    webhook_id: webhook,
                    lease_id: r.lease_id,
                    event_id: r.event_id,
                    kind: WebhookKind::parse(&r.kind)?,
                    state: r.state,
                    attempts: r.attempts,
                    next_attempt_at: (r.state == DeliveryState::Pending)
                        .then_some(r.next_attempt_at),
                    waiting_for: r.waiting_for,
                    created_at: r.created_at,
                    finished_at: r.finished_at,
                    history: history.remove(&r.id).unwrap_or_default(),
                })
            })
            .collect(),
    ))
}

/// Makes a delivery of the webhook pending again, due now, with a fresh retry window; `false`
/// if there is no such delivery.
pub async fn redeliver(
    db: impl PgExecutor<'_>,
    webhook: WebhookId,
    id: DeliveryId,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE webhook_deliveries
         SET state = 'pending', next_attempt_at = now(), window_start = now(), finished_at = NULL
         WHERE id = $1 AND webhook_id = $2",
        id.get(),
        webhook.get()
    )
    .execute(db)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// A webhook enabled again: its deliveries that waited are due now, each with a fresh retry
/// window (the time it was disabled does not count against them).
pub async fn resume(db: impl PgExecutor<'_>, webhook: WebhookId) -> Result<u64, sqlx::Error> {
    let r = sqlx::query!(
        "UPDATE webhook_deliveries SET next_attempt_at = now(), window_start = now()
         WHERE webhook_id = $1 AND state = 'pending'",
        webhook.get()
    )
    .execute(db)
    .await?;
    Ok(r.rows_affected())
}

/// The tenant's name, for a delivery's body.
pub async fn tenant_name(db: impl PgExecutor<'_>, id: TenantId) -> Result<String, sqlx::Error> {
    sqlx::query_scalar!("SELECT name FROM tenants WHERE id = $1", id.get())
        .fetch_one(db)
        .await
}
