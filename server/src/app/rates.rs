//! The cost-rate card (chargeback): anyone signed in reads it, admins replace it, every
//! replacement audited with the card before and after, as tenant policy changes are.

use super::Error;
use super::auth::Principal;
use crate::domain;
use crate::store::{self, audit};
use slicebroker_types::api::AuditTargetKind;
use slicebroker_types::api::CostRates;

pub async fn rates_show(db: &sqlx::PgPool, _who: &Principal) -> Result<CostRates, Error> {
    Ok(CostRates {
        rates: store::rates::list(db).await?,
    })
}

pub async fn rates_replace(
    db: &sqlx::PgPool,
    who: &Principal,
    req: CostRates,
) -> Result<CostRates, Error> {
    who.require_admin()?;
    domain::rates::validate(&req.rates)?;
    let mut tx = db.begin().await?;
    let before = CostRates {
        rates: store::rates::replace(&mut tx, &req.rates).await?,
    };
    let after = CostRates {
        rates: store::rates::list(&mut *tx).await?,
    };
    audit::record(
        &mut *tx,
        audit::Entry {
            actor_key_id: who.key_id,
            actor: &who.actor(),
            action: "rates.replace",
            target_kind: AuditTargetKind::Rates,
            target_id: "fleet".into(),
            before: Some(serde_json::to_value(&before).expect("serialisable")),
            after: Some(serde_json::to_value(&after).expect("serialisable")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// The audit trail of the rate card (admins).
pub async fn rates_audit(
    db: &sqlx::PgPool,
    who: &Principal,
) -> Result<Vec<slicebroker_types::api::AuditRecord>, Error> {
    who.require_admin()?;
    Ok(audit::for_target(db, AuditTargetKind::Rates, "fleet").await?)
}
