//! API keys: created (the secret shown once), listed, revoked; and the admin bootstrap.

use super::Error;
use super::auth::Principal;
use crate::domain::api_key;
use crate::store::{self, Violation, api_keys::ApiKey, audit};
use slicebroker_types::api::AuditTargetKind;
use slicebroker_types::api::Role;
use slicebroker_types::{ApiKeyId, TenantId};

pub use slicebroker_types::api::{ApiKeyCreate, ApiKeyCreated, ApiKeySummary};

/// Admins manage every tenant's keys; tenant admins only their own tenant's.
fn check_manage(who: &Principal, tenant: TenantId) -> Result<(), Error> {
    if who.is_admin() {
        return Ok(());
    }
    if who.tenant != Some(tenant) {
        return Err(Error::not_found("tenant", tenant));
    }
    if !who.role.can_manage_keys() {
        return Err(Error::Forbidden(
            "managing API keys needs the tenant-admin role".into(),
        ));
    }
    Ok(())
}

pub async fn api_key_create(
    db: &sqlx::PgPool,
    who: &Principal,
    tenant: TenantId,
    req: ApiKeyCreate,
) -> Result<ApiKeyCreated, Error> {
    check_manage(who, tenant)?;
    let name = req.name.trim();
    slicebroker_types::limits::name(name).map_err(|r| Error::invalid("name", r))?;
    if req.role == Role::Admin {
        return Err(Error::invalid(
            "role",
            "tenant keys are `tenant-admin`, `member` or `viewer`; admin keys come from `slicebroker-server admin create-key`",
        ));
    }
    let mut tx = db.begin().await?;
    if store::tenants::get(&mut *tx, tenant).await?.is_none() {
        return Err(Error::not_found("tenant", tenant));
    }
    let new = api_key::generate();
    let key = store::api_keys::insert(
        &mut *tx,
        store::api_keys::NewApiKey {
            id: ApiKeyId::new(),
            tenant_id: Some(tenant),
            role: req.role,
            name,
            hash: &new.hash,
            prefix: &new.prefix,
            created_by: who.key_id,
        },
    )
    .await?;
    let summary = key;
    audit::record(
        &mut *tx,
        audit::Entry {
            actor_key_id: who.key_id,
            actor: &who.actor(),
            action: "api_key.create",
            target_kind: AuditTargetKind::ApiKey,
            target_id: summary.id.to_string(),
            before: None,
            after: Some(serde_json::to_value(&summary).expect("serialisable")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ApiKeyCreated {
        key: summary,
        secret: new.secret,
    })
}

pub async fn api_key_list(
    db: &sqlx::PgPool,
    who: &Principal,
    tenant: TenantId,
) -> Result<Vec<ApiKeySummary>, Error> {
    check_manage(who, tenant)?;
    if store::tenants::get(db, tenant).await?.is_none() {
        return Err(Error::not_found("tenant", tenant));
    }
    Ok(store::api_keys::list_for_tenant(db, tenant).await?)
}

pub async fn api_key_revoke(
    db: &sqlx::PgPool,
    who: &Principal,
    tenant: TenantId,
    key_id: ApiKeyId,
) -> Result<ApiKeySummary, Error> {
    check_manage(who, tenant)?;
    let mut tx = db.begin().await?;
    let before = store::api_keys::get(&mut *tx, key_id)
        .await?
        .filter(|k| k.tenant_id == Some(tenant))
        .ok_or_else(|| Error::not_found("api key", key_id))?;
    revoke(tx, who, before).await
}

/// Every admin key (admin), revoked ones too.
pub async fn admin_key_list(
    db: &sqlx::PgPool,
    who: &Principal,
) -> Result<Vec<ApiKeySummary>, Error> {
    who.require_admin()?;
    Ok(store::api_keys::list_admin(db).await?)
}

/// Revokes an admin key (admin): a leaked one, the bootstrap key once others exist. The last
/// admin key is not revoked: nobody could administer the fleet any more.
pub async fn admin_key_revoke(
    db: &sqlx::PgPool,
    who: &Principal,
    key_id: ApiKeyId,
) -> Result<ApiKeySummary, Error> {
    who.require_admin()?;
    let mut tx = db.begin().await?;
    let live = store::api_keys::lock_live_admins(&mut tx).await?;
    let before = store::api_keys::get(&mut *tx, key_id)
        .await?
        .filter(|k| k.role == Role::Admin)
        .ok_or_else(|| Error::not_found("admin key", key_id))?;
    if live == [key_id] {
        return Err(Error::Conflict {
            code: "conflict",
            detail: format!(
                "admin key {key_id} is the last admin key: create another first \
                 (`slicebroker-server admin create-key`), then revoke this one"
            ),
        });
    }
    revoke(tx, who, before).await
}

/// Revokes the key `before` is, audited, and commits; `409 already_revoked` if it was.
async fn revoke(
    mut tx: store::Tx<'_>,
    who: &Principal,
    before: ApiKey,
) -> Result<ApiKeySummary, Error> {
    let key_id = before.id;
    let after = store::api_keys::revoke(&mut *tx, key_id)
        .await?
        .ok_or_else(|| Error::Conflict {
            code: "already_revoked",
            detail: format!("key {key_id} is already revoked"),
        })?;
    audit::record(
        &mut *tx,
        audit::Entry {
            actor_key_id: who.key_id,
            actor: &who.actor(),
            action: "api_key.revoke",
            target_kind: AuditTargetKind::ApiKey,
            target_id: key_id.to_string(),
            before: Some(serde_json::to_value(&before).expect("serialisable")),
            after: Some(serde_json::to_value(&after).expect("serialisable")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Creates an admin key (the CLI's `admin create-key`); returns the secret.
pub async fn admin_key_create(db: &sqlx::PgPool, name: &str) -> Result<ApiKeyCreated, Error> {
    let name = name.trim();
    slicebroker_types::limits::name(name).map_err(|r| Error::invalid("name", r))?;
    let new = api_key::generate();
    let key = insert_admin(db, name, &new).await?;
    Ok(ApiKeyCreated {
        key,
        secret: new.secret,
    })
}

/// Stores the configured bootstrap key as an admin key, unless an admin key already exists.
pub async fn bootstrap_admin(db: &sqlx::PgPool, secret: &str) -> Result<(), Error> {
    if store::api_keys::admin_key_exists(db).await? {
        return Ok(());
    }
    let new = api_key::from_secret(secret.to_owned());
    match insert_admin(db, "bootstrap", &new).await {
        Ok(key) => {
            tracing::info!(key_id = %key.id, prefix = %key.prefix, "bootstrap admin key created");
            Ok(())
        }
        // Another replica bootstrapped the same key first.
        Err(Error::Conflict { .. }) => Ok(()),
        Err(e) => Err(e),
    }
}

async fn insert_admin(
    db: &sqlx::PgPool,
    name: &str,
    new: &api_key::NewKey,
) -> Result<ApiKey, Error> {
    let mut tx = db.begin().await?;
    let key = store::api_keys::insert(
        &mut *tx,
        store::api_keys::NewApiKey {
            id: ApiKeyId::new(),
            tenant_id: None,
            role: Role::Admin,
            name,
            hash: &new.hash,
            prefix: &new.prefix,
            created_by: None,
        },
    )
    .await
    .map_err(|e| match store::violation(&e) {
        Some(Violation::ApiKeyTaken) => Error::Conflict {
            code: "conflict",
            detail: "this key already exists".into(),
        },
        _ => e.into(),
    })?;
    audit::record(
        &mut *tx,
        audit::Entry {
            actor_key_id: None,
            actor: "cli",
            action: "api_key.create",
            target_kind: AuditTargetKind::ApiKey,
            target_id: key.id.to_string(),
            before: None,
            after: Some(serde_json::to_value(&key).expect("serialisable")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(key)
}
