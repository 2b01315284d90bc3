//! `GET /v1/usage`: slice-hours per tenant, profile and day over a period.

use super::auth::Principal;
use super::{App, Error};
use crate::store;
use chrono::{DateTime, Utc};
use slicebroker_types::TenantId;
use slicebroker_types::api::UsageRow;

/// Longest period one request may cover.
const MAX_DAYS: i64 = 366;

pub async fn usage_report(
    app: &App,
    who: &Principal,
    tenant: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<UsageRow>, Error> {
    use chrono::Datelike;
    for (field, t) in [("from", from), ("to", to)] {
        if !(1970..=9999).contains(&t.year()) {
            return Err(Error::invalid(field, "must be between 1970 and 9999"));
        }
    }
    if to <= from {
        return Err(Error::invalid("to", "must be after `from`"));
    }
    if (to - from).num_days() > MAX_DAYS {
        return Err(Error::invalid(
            "to",
            format!("the period may span at most {MAX_DAYS} days"),
        ));
    }
    let scope = match who.scope() {
        None => tenant,
        Some(own) if tenant.is_none_or(|t| t == own) => Some(own),
        Some(_) => return Err(Error::not_found("tenant", tenant.expect("checked"))),
    };
    Ok(store::usage::usage(app.db(), scope, from, to).await?)
}
