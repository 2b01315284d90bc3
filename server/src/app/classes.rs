//! Slice classes: admins define them (every change audited with before and after, as tenant
//! policy changes are); every caller lists those its tenant may use; a lease request names one.

use super::Error;
use super::auth::Principal;
use crate::domain::{classes, validate};
use crate::store::{self, Violation, audit};
use slicebroker_types::TenantId;
use slicebroker_types::api::AuditTargetKind;
use slicebroker_types::api::{AuditRecord, SliceClass, SliceClassPatch, SliceClassSpec};
use slicebroker_types::limits::pointer;

fn image(c: &SliceClass) -> serde_json::Value {
    serde_json::to_value(c).expect("serialisable")
}

fn not_found(name: &str) -> Error {
    Error::not_found("class", name)
}

async fn record(
    tx: &mut store::Tx<'_>,
    who: &Principal,
    action: &str,
    name: &str,
    before: Option<&SliceClass>,
    after: Option<&SliceClass>,
) -> Result<(), Error> {
    audit::record(
        &mut **tx,
        audit::Entry {
            actor_key_id: who.key_id,
            actor: &who.actor(),
            action,
            target_kind: AuditTargetKind::Class,
            target_id: name.to_owned(),
            before: before.map(image),
            after: after.map(image),
        },
    )
    .await?;
    Ok(())
}

/// Admins see every class; anyone else those its tenant may use.
pub async fn class_list(db: &sqlx::PgPool, who: &Principal) -> Result<Vec<SliceClass>, Error> {
    if who.is_admin() {
        return Ok(store::classes::list(db, None).await?);
    }
    let tenant = who.own_tenant()?;
    Ok(store::classes::list(db, Some(tenant)).await?)
}

pub async fn class_create(
    db: &sqlx::PgPool,
    who: &Principal,
    name: &str,
    spec: SliceClassSpec,
) -> Result<SliceClass, Error> {
    who.require_admin()?;
    validate::tenant_name(name)?;
    let spec = classes::validate(spec)?;
    let mut tx = db.begin().await?;
    tenants_exist(&mut tx, &spec).await?;
    let class = store::classes::insert(&mut *tx, name, &spec)
        .await
        .map_err(|e| match store::violation(&e) {
            Some(Violation::ClassNameTaken) => Error::Conflict {
                code: "conflict",
                detail: format!("a class named `{name}` already exists"),
            },
            _ => e.into(),
        })?;
    record(&mut tx, who, "class.create", name, None, Some(&class)).await?;
    tx.commit().await?;
    Ok(class)
}

pub async fn class_update(
    db: &sqlx::PgPool,
    who: &Principal,
    name: &str,
    patch: SliceClassPatch,
) -> Result<SliceClass, Error> {
    who.require_admin()?;
    let mut tx = db.begin().await?;
    let before = store::classes::lock(&mut *tx, name)
        .await?
        .ok_or_else(|| not_found(name))?;
    let spec = classes::validate(patch.apply(&before.spec()))?;
    tenants_exist(&mut tx, &spec).await?;
    let after = store::classes::update(&mut *tx, name, &spec)
        .await?
        .ok_or_else(|| not_found(name))?;
    record(
        &mut tx,
        who,
        "class.update",
        name,
        Some(&before),
        Some(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Refuses a class naming a tenant that does not exist, naming it by its JSON pointer.
async fn tenants_exist(tx: &mut store::Tx<'_>, spec: &SliceClassSpec) -> Result<(), Error> {
    let Some(tenants) = &spec.tenants else {
        return Ok(());
    };
    let ids: Vec<uuid::Uuid> = tenants.iter().map(|t| t.get()).collect();
    match store::tenants::missing(&mut **tx, &ids).await?.first() {
        None => Ok(()),
        Some(gone) => {
            let i = ids.iter().position(|id| id == gone).unwrap_or_default();
            Err(Error::invalid(
                pointer(&["tenants", &i.to_string()]),
                format!("no tenant has the id {gone}"),
            ))
        }
    }
}

/// Deletes the class; leases made from it keep its name and their terms.
pub async fn class_delete(db: &sqlx::PgPool, who: &Principal, name: &str) -> Result<(), Error> {
    who.require_admin()?;
    let mut tx = db.begin().await?;
    let before = store::classes::delete(&mut *tx, name)
        .await?
        .ok_or_else(|| not_found(name))?;
    record(&mut tx, who, "class.delete", name, Some(&before), None).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn class_audit(
    db: &sqlx::PgPool,
    who: &Principal,
    name: &str,
) -> Result<Vec<AuditRecord>, Error> {
    who.require_admin()?;
    let records = audit::for_target(db, AuditTargetKind::Class, name).await?;
    if records.is_empty() && store::classes::get(db, name).await?.is_none() {
        return Err(not_found(name));
    }
    Ok(records)
}

/// The class a lease request names, if `tenant` may use it: a 400 naming `class` for a class
/// that does not exist, a 403 naming it for one the tenant may not use.
pub async fn for_lease(
    db: &sqlx::PgPool,
    tenant: TenantId,
    name: &str,
) -> Result<SliceClass, Error> {
    let unknown = || {
        Error::invalid(
            "class",
            format!("no class named `{name}`; `GET /v1/classes` lists those you may use"),
        )
    };
    if name.is_empty() || name.len() > 63 {
        return Err(unknown());
    }
    let class = store::classes::get(db, name).await?.ok_or_else(unknown)?;
    if !class.admits(tenant) {
        return Err(Error::policy(
            "class",
            format!("the tenant may not use class `{name}`"),
        ));
    }
    Ok(class)
}
