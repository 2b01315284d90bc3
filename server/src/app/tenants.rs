//! Tenants and their policy (admin only), every change audited with before and after.

use super::Error;
use super::auth::Principal;
use crate::domain::tenant::ValidatePolicy;
use crate::domain::validate;
use crate::store::{self, Violation, audit};
use slicebroker_types::api::AuditTargetKind;
use slicebroker_types::api::{Tenant, TenantPolicy};
use slicebroker_types::{TenantId, limits};

pub use slicebroker_types::api::{TenantCreate, TenantUpdate};

fn image(t: &Tenant) -> serde_json::Value {
    serde_json::to_value(t).expect("serialisable")
}

pub async fn tenant_create(
    db: &sqlx::PgPool,
    who: &Principal,
    req: TenantCreate,
) -> Result<Tenant, Error> {
    who.require_admin()?;
    validate::tenant_name(&req.name)?;
    let policy = req
        .policy
        .unwrap_or_default()
        .apply(&TenantPolicy::default());
    policy.validate()?;
    if let Some(d) = &req.display_name {
        limits::name(d).map_err(|r| Error::invalid("display_name", r))?;
    }
    let display = req.display_name.unwrap_or_else(|| req.name.clone());
    let mut tx = db.begin().await?;
    let tenant = store::tenants::insert(&mut *tx, TenantId::new(), &req.name, &display, &policy)
        .await
        .map_err(|e| match store::violation(&e) {
            Some(Violation::TenantNameTaken) => Error::Conflict {
                code: "conflict",
                detail: format!("a tenant named `{}` already exists", req.name),
            },
            _ => e.into(),
        })?;
    audit::record(
        &mut *tx,
        audit::Entry {
            actor_key_id: who.key_id,
            actor: &who.actor(),
            action: "tenant.create",
            target_kind: AuditTargetKind::Tenant,
            target_id: tenant.id.to_string(),
            before: None,
            after: Some(image(&tenant)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(tenant)
}

pub async fn tenant_list(db: &sqlx::PgPool, who: &Principal) -> Result<Vec<Tenant>, Error> {
    who.require_admin()?;
    Ok(store::tenants::list(db).await?)
}

/// Admins see any tenant; a tenant's own keys see their tenant; others get 404.
pub async fn tenant_show(
    db: &sqlx::PgPool,
    who: &Principal,
    id: TenantId,
) -> Result<Tenant, Error> {
    if !who.is_admin() && who.tenant != Some(id) {
        return Err(Error::not_found("tenant", id));
    }
    store::tenants::get(db, id)
        .await?
        .ok_or_else(|| Error::not_found("tenant", id))
}

pub async fn tenant_update(
    db: &sqlx::PgPool,
    who: &Principal,
    id: TenantId,
    req: TenantUpdate,
) -> Result<Tenant, Error> {
    who.require_admin()?;
    if let Some(d) = &req.display_name {
        limits::name(d).map_err(|r| Error::invalid("display_name", r))?;
    }
    let mut tx = db.begin().await?;
    let before = store::tenants::lock(&mut tx, id)
        .await?
        .ok_or_else(|| Error::not_found("tenant", id))?;
    let display = req
        .display_name
        .unwrap_or_else(|| before.display_name.clone());
    let policy = match req.policy {
        Some(patch) => patch.apply(&before.policy),
        None => before.policy.clone(),
    };
    policy.validate()?;
    let after = store::tenants::update(&mut *tx, id, &display, &policy)
        .await?
        .ok_or_else(|| Error::not_found("tenant", id))?;
    audit::record(
        &mut *tx,
        audit::Entry {
            actor_key_id: who.key_id,
            actor: &who.actor(),
            action: "tenant.update",
            target_kind: AuditTargetKind::Tenant,
            target_id: id.to_string(),
            before: Some(image(&before)),
            after: Some(image(&after)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// `404` unless the tenant exists: an admin's filter naming a tenant that does not exist is
/// not found, as a member's naming another tenant is, not an empty answer.
pub async fn must_exist(db: &sqlx::PgPool, id: TenantId) -> Result<(), Error> {
    match store::tenants::get(db, id).await? {
        Some(_) => Ok(()),
        None => Err(Error::not_found("tenant", id)),
    }
}

pub async fn tenant_audit(
    db: &sqlx::PgPool,
    who: &Principal,
    id: TenantId,
) -> Result<Vec<slicebroker_types::api::AuditRecord>, Error> {
    who.require_admin()?;
    must_exist(db, id).await?;
    Ok(audit::for_tenant(db, id).await?)
}
