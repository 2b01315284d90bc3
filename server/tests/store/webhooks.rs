//! `store::webhooks` and the outbox trigger: a lease event enqueues one delivery per matching
//! enabled webhook in the event's own transaction (rolled back with it), kinds map as
//! documented, and the claim hands a lease's deliveries out one at a time, in order, to one
//! claimer at a time.

use crate::fixture::{self, World};
use slicebroker_server::store::{self, webhooks::NewWebhook};
use slicebroker_types::api::{
    DeliveryState, LeaseEventKind, LeaseState, WebhookFormat, WebhookKind,
};
use slicebroker_types::{LeaseId, TenantId};
use sqlx::PgPool;
use std::time::Duration;

async fn webhook(db: &PgPool, tenant: Option<TenantId>, kinds: &[WebhookKind], enabled: bool) {
    store::webhooks::insert(
        db,
        NewWebhook {
            tenant_id: tenant,
            url: "https://hooks.example.com/x",
            kinds,
            format: WebhookFormat::Json,
            enabled,
            secret: "s",
        },
    )
    .await
    .unwrap();
}

async fn deliveries(db: &PgPool) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT kind, event_id FROM webhook_deliveries ORDER BY event_id, kind")
        .fetch_all(db)
        .await
        .unwrap()
}

async fn event(
    db: &PgPool,
    lease: LeaseId,
    kind: LeaseEventKind,
    from: LeaseState,
    to: LeaseState,
) {
    store::leases::insert_event(
        db,
        lease,
        kind,
        Some(from),
        Some(to),
        serde_json::json!({}),
        "system",
    )
    .await
    .unwrap();
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_outbox_row_commits_and_rolls_back_with_the_event(db: PgPool) {
    let w: World = fixture::world(&db).await;
    let lease = fixture::lease(&db, w, LeaseState::Active).await;
    webhook(&db, Some(w.tenant), &[WebhookKind::Extended], true).await;
    let before = deliveries(&db).await;

    let mut tx = db.begin().await.unwrap();
    store::leases::insert_event(
        &mut *tx,
        lease.id,
        LeaseEventKind::Extended,
        None,
        None,
        serde_json::json!({}),
        "system",
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(deliveries(&db).await, before, "rolled back with its event");

    let mut tx = db.begin().await.unwrap();
    store::leases::insert_event(
        &mut *tx,
        lease.id,
        LeaseEventKind::Extended,
        None,
        None,
        serde_json::json!({}),
        "system",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let after = deliveries(&db).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap().0, "extended");
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn only_enabled_webhooks_of_the_tenant_or_the_fleet_that_want_the_kind_get_one(db: PgPool) {
    let w: World = fixture::world(&db).await;
    let other = TenantId::new();
    store::tenants::insert(&db, other, "team-b", "Team B", &Default::default())
        .await
        .unwrap();
    let lease = fixture::lease(&db, w, LeaseState::Pending).await;
    sqlx::query("DELETE FROM webhook_deliveries")
        .execute(&db)
        .await
        .unwrap();
    webhook(
        &db,
        Some(w.tenant),
        &[WebhookKind::QueuedGranted, WebhookKind::Ended],
        true,
    )
    .await;
    webhook(&db, Some(w.tenant), &[WebhookKind::QueuedGranted], false).await;
    webhook(&db, Some(other), &[WebhookKind::QueuedGranted], true).await;
    webhook(&db, None, &[WebhookKind::Ended], true).await;

    // Out of the queue: `queued_granted`, for the tenant's enabled webhook only.
    event(
        &db,
        lease.id,
        LeaseEventKind::Granted,
        LeaseState::Pending,
        LeaseState::Provisioning,
    )
    .await;
    // Every way to end is `ended`: the tenant's and the fleet-wide webhook.
    event(
        &db,
        lease.id,
        LeaseEventKind::HostLost,
        LeaseState::Provisioning,
        LeaseState::Ended,
    )
    .await;
    let kinds: Vec<String> = deliveries(&db).await.into_iter().map(|d| d.0).collect();
    assert_eq!(kinds, ["queued_granted", "ended", "ended"]);
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_leases_deliveries_are_claimed_one_at_a_time_in_order(db: PgPool) {
    let w: World = fixture::world(&db).await;
    let a = fixture::lease(&db, w, LeaseState::Active).await;
    let b = fixture::lease(&db, w, LeaseState::Active).await;
    sqlx::query("DELETE FROM webhook_deliveries")
        .execute(&db)
        .await
        .unwrap();
    webhook(&db, Some(w.tenant), &[WebhookKind::Extended], true).await;
    for lease in [a.id, a.id, b.id] {
        store::leases::insert_event(
            &db,
            lease,
            LeaseEventKind::Extended,
            None,
            None,
            serde_json::json!({}),
            "system",
        )
        .await
        .unwrap();
    }
    let claim = Duration::from_secs(60);
    let first = store::webhooks::claim_due(&db, 10, claim).await.unwrap();
    // One per lease: a's second waits for its first.
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|c| c.attempts == 1));
    // Claimed: nobody else gets them, and a's second still waits.
    assert!(
        store::webhooks::claim_due(&db, 10, claim)
            .await
            .unwrap()
            .is_empty()
    );

    let a1 = first.iter().find(|c| c.lease_id == a.id).unwrap();
    let mut tx = db.begin().await.unwrap();
    store::webhooks::record(
        &mut tx,
        a1.id,
        a1.claim,
        store::webhooks::Outcome {
            status_code: Some(200),
            duration_ms: 3,
            error: None,
            state: DeliveryState::Delivered,
            next_attempt_at: chrono::Utc::now(),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let next = store::webhooks::claim_due(&db, 10, claim).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].lease_id, a.id);
    assert!(next[0].event_id > a1.event_id);

    // A claim that ran out is taken again (a replica died mid-send), and counts its attempt.
    sqlx::query(
        "UPDATE webhook_deliveries SET claimed_until = now() - interval '1s' WHERE id = $1",
    )
    .bind(next[0].id.get())
    .execute(&db)
    .await
    .unwrap();
    let again = store::webhooks::claim_due(&db, 10, claim).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].id, next[0].id);
    assert_eq!(again[0].attempts, 2);
    assert_ne!(again[0].claim, next[0].claim);
}

/// Every lease event kind maps (through the database's `webhook_kind()`, as the outbox trigger
/// maps it) to a kind a webhook may ask for: a new event kind cannot go undeliverable.
#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn every_lease_event_kind_maps_to_a_webhook_kind(db: PgPool) {
    for kind in LeaseEventKind::ALL {
        // These two always end the lease, so they are always delivered as `ended`.
        let always_ends = matches!(kind, LeaseEventKind::Cancelled | LeaseEventKind::HostLost);
        let to = always_ends.then_some("ended");
        let mapped: String =
            sqlx::query_scalar("SELECT webhook_kind($1::lease_event_kind, NULL, $2::lease_state)")
                .bind(kind.as_str())
                .bind(to)
                .fetch_one(&db)
                .await
                .unwrap();
        let want = if always_ends { "ended" } else { kind.as_str() };
        let parsed = WebhookKind::parse(&mapped).map(WebhookKind::as_str);
        assert_eq!(parsed, Some(want), "{kind}");
    }
}
