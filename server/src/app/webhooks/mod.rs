//! Webhooks: registered, changed, listed, deleted and their secret rotated (tenant admins for
//! their tenant, admins for any and for the fleet-wide ones), every change audited; the
//! history of deliveries and redelivery. Sending is `deliver` (the worker) over `send`.

pub mod deliver;
pub mod send;

use super::auth::Principal;
use super::{App, Error};
use crate::domain::webhook;
use crate::store::{self, audit};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use slicebroker_types::api::AuditTargetKind;
use slicebroker_types::api::{
    Webhook, WebhookCreate, WebhookCreated, WebhookDelivery, WebhookPatch,
};
use slicebroker_types::{DeliveryId, TenantId, WebhookId, limits};

/// Whose webhooks a call is about: one tenant's, or the fleet-wide ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Tenant(TenantId),
    Fleet,
}

impl Owner {
    fn tenant(self) -> Option<TenantId> {
        match self {
            Self::Tenant(t) => Some(t),
            Self::Fleet => None,
        }
    }
}

/// Admins manage every webhook; tenant admins only their own tenant's (another tenant's are
/// not found, as its other objects are).
async fn check_manage(db: &sqlx::PgPool, who: &Principal, owner: Owner) -> Result<(), Error> {
    match owner {
        Owner::Fleet => who.require_admin()?,
        Owner::Tenant(tenant) => {
            if !who.is_admin() {
                if who.tenant != Some(tenant) {
                    return Err(Error::not_found("tenant", tenant));
                }
                if !who.role.can_manage_keys() {
                    return Err(Error::Forbidden(
                        "managing webhooks needs the tenant-admin role".into(),
                    ));
                }
            }
            if store::tenants::get(db, tenant).await?.is_none() {
                return Err(Error::not_found("tenant", tenant));
            }
        }
    }
    Ok(())
}

/// The URL's form, and (unless private targets are allowed) that every address its host
/// resolves to now is public. Delivery checks again: DNS may change.
async fn check_url(app: &App, url: &str) -> Result<(), Error> {
    let target = webhook::parse_url(url).map_err(|r| Error::invalid("url", r))?;
    if app.config().webhook_allow_private_targets {
        return Ok(());
    }
    send::resolve_public(&target)
        .await
        .map(drop)
        .map_err(|r| Error::invalid("url", r))
}

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    format!("whsec_{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn image(w: &Webhook) -> Option<serde_json::Value> {
    Some(serde_json::to_value(w).expect("serialisable"))
}

async fn record(
    tx: &mut store::Tx<'_>,
    who: &Principal,
    action: &'static str,
    id: WebhookId,
    before: Option<&Webhook>,
    after: Option<&Webhook>,
) -> Result<(), Error> {
    audit::record(
        &mut **tx,
        audit::Entry {
            actor_key_id: who.key_id,
            actor: &who.actor(),
            action,
            target_kind: AuditTargetKind::Webhook,
            target_id: id.to_string(),
            before: before.and_then(image),
            after: after.and_then(image),
        },
    )
    .await?;
    Ok(())
}

pub async fn webhook_create(
    app: &App,
    who: &Principal,
    owner: Owner,
    req: WebhookCreate,
) -> Result<WebhookCreated, Error> {
    check_manage(app.db(), who, owner).await?;
    let kinds = webhook::kinds(&req.kinds).map_err(|r| Error::invalid("kinds", r))?;
    check_url(app, &req.url).await?;
    let secret = new_secret();
    let mut tx = app.db().begin().await?;
    if store::webhooks::count(&mut *tx, owner.tenant()).await? >= limits::MAX_WEBHOOKS {
        return Err(Error::invalid(
            "url",
            format!(
                "at most {} webhooks per tenant (and fleet-wide); delete one first",
                limits::MAX_WEBHOOKS
            ),
        ));
    }
    let created = store::webhooks::insert(
        &mut *tx,
        store::webhooks::NewWebhook {
            tenant_id: owner.tenant(),
            url: &req.url,
            kinds: &kinds,
            format: req.format,
            enabled: req.enabled,
            secret: &secret,
        },
    )
    .await?;
    record(
        &mut tx,
        who,
        "webhook.create",
        created.id,
        None,
        Some(&created),
    )
    .await?;
    tx.commit().await?;
    Ok(WebhookCreated {
        webhook: created,
        secret,
    })
}

pub async fn webhook_list(app: &App, who: &Principal, owner: Owner) -> Result<Vec<Webhook>, Error> {
    check_manage(app.db(), who, owner).await?;
    Ok(store::webhooks::list(app.db(), owner.tenant()).await?)
}

async fn get(db: impl sqlx::PgExecutor<'_>, owner: Owner, id: WebhookId) -> Result<Webhook, Error> {
    store::webhooks::get(db, owner.tenant(), id)
        .await?
        .ok_or_else(|| Error::not_found("webhook", id))
}

pub async fn webhook_show(
    app: &App,
    who: &Principal,
    owner: Owner,
    id: WebhookId,
) -> Result<Webhook, Error> {
    check_manage(app.db(), who, owner).await?;
    get(app.db(), owner, id).await
}

pub async fn webhook_update(
    app: &App,
    who: &Principal,
    owner: Owner,
    id: WebhookId,
    patch: WebhookPatch,
) -> Result<Webhook, Error> {
    check_manage(app.db(), who, owner).await?;
    let kinds = match &patch.kinds {
        Some(k) => Some(webhook::kinds(k).map_err(|r| Error::invalid("kinds", r))?),
        None => None,
    };
    if let Some(url) = &patch.url {
        check_url(app, url).await?;
    }
    let mut tx = app.db().begin().await?;
    let before = get(&mut *tx, owner, id).await?;
    let mut w = before.clone();
    if let Some(url) = patch.url {
        w.url = url;
    }
    if let Some(kinds) = kinds {
        w.kinds = kinds;
    }
    if let Some(format) = patch.format {
        w.format = format;
    }
    if let Some(enabled) = patch.enabled {
        w.enabled = enabled;
    }
    if w == before {
        // Nothing changes: no write, no audit entry, `updated_at` stays.
        return Ok(before);
    }
    let resumed = w.enabled && !before.enabled;
    if resumed {
        store::webhooks::resume(&mut *tx, id).await?;
    }
    let after = store::webhooks::update(&mut *tx, &w).await?;
    record(
        &mut tx,
        who,
        "webhook.update",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    if resumed {
        app.wakeups().wake_webhooks();
    }
    Ok(after)
}

pub async fn webhook_delete(
    app: &App,
    who: &Principal,
    owner: Owner,
    id: WebhookId,
) -> Result<(), Error> {
    check_manage(app.db(), who, owner).await?;
    let mut tx = app.db().begin().await?;
    let before = get(&mut *tx, owner, id).await?;
    store::webhooks::delete(&mut *tx, id).await?;
    record(&mut tx, who, "webhook.delete", id, Some(&before), None).await?;
    tx.commit().await?;
    Ok(())
}

/// A new secret; the old one stops signing at once.
pub async fn webhook_rotate_secret(
    app: &App,
    who: &Principal,
    owner: Owner,
    id: WebhookId,
) -> Result<WebhookCreated, Error> {
    check_manage(app.db(), who, owner).await?;
    let secret = new_secret();
    let mut tx = app.db().begin().await?;
    let before = get(&mut *tx, owner, id).await?;
    store::webhooks::set_secret(&mut *tx, id, &secret).await?;
    // As it now is: its `updated_at` moved.
    let after = get(&mut *tx, owner, id).await?;
    record(
        &mut tx,
        who,
        "webhook.rotate_secret",
        id,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(WebhookCreated {
        webhook: after,
        secret,
    })
}

/// Which deliveries [`delivery_list`] lists: at most `limit`, older than `before`.
#[derive(Debug)]
pub struct DeliveryPage {
    pub limit: i64,
    pub before: Option<DeliveryId>,
}

pub async fn delivery_list(
    app: &App,
    who: &Principal,
    owner: Owner,
    id: WebhookId,
    page: DeliveryPage,
) -> Result<Vec<WebhookDelivery>, Error> {
    check_manage(app.db(), who, owner).await?;
    let mut conn = app.db().acquire().await?;
    get(&mut *conn, owner, id).await?;
    store::webhooks::deliveries(&mut conn, id, page.limit, page.before)
        .await?
        .ok_or_else(|| Error::invalid("before", "no delivery of this webhook has that id"))
}

/// Sends the delivery again (whatever its state), due now with a fresh retry window.
pub async fn delivery_redeliver(
    app: &App,
    who: &Principal,
    owner: Owner,
    id: WebhookId,
    delivery: DeliveryId,
) -> Result<(), Error> {
    check_manage(app.db(), who, owner).await?;
    let mut tx = app.db().begin().await?;
    get(&mut *tx, owner, id).await?;
    if !store::webhooks::redeliver(&mut *tx, id, delivery).await? {
        return Err(Error::not_found("delivery", delivery));
    }
    audit::record(
        &mut *tx,
        audit::Entry {
            actor_key_id: who.key_id,
            actor: &who.actor(),
            action: "webhook.redeliver",
            target_kind: AuditTargetKind::WebhookDelivery,
            target_id: delivery.to_string(),
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    app.wakeups().wake_webhooks();
    Ok(())
}
