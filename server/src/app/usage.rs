//! `GET /v1/usage`: slice-hours, idle-held slice-hours and cost per tenant, model, profile and
//! day over a period, as JSON or CSV.

use super::auth::Principal;
use super::{App, Error};
use crate::store;
use chrono::{DateTime, Utc};
use slicebroker_types::TenantId;
use slicebroker_types::api::{RightsizingRow, UsageRow};

use slicebroker_types::limits::MAX_USAGE_DAYS as MAX_DAYS;

pub async fn usage_report(
    app: &App,
    who: &Principal,
    tenant: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<UsageRow>, Error> {
    let scope = scope(app, who, tenant, from, to).await?;
    Ok(store::usage::usage(app.db(), scope, from, to).await?)
}

/// `GET /v1/usage/rightsizing`: per tenant, class, model and profile, what the leases that
/// ended in `[from, to)` used against what they held, with a recommendation where the evidence
/// is strong (`domain::rightsizing`). Same period bounds and scoping as [`usage_report`].
pub async fn rightsizing_report(
    app: &App,
    who: &Principal,
    tenant: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<RightsizingRow>, Error> {
    let scope = scope(app, who, tenant, from, to).await?;
    let leases = store::usage::ended_lease_usage(app.db(), scope, from, to).await?;
    Ok(crate::domain::rightsizing::report(leases))
}

/// The tenant a report covers (`None`: all), once the period is checked: members see their
/// own tenant only (another's is not found), admins any that exists, or all.
async fn scope(
    app: &App,
    who: &Principal,
    tenant: Option<TenantId>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Option<TenantId>, Error> {
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
    if let (None, Some(t)) = (who.scope(), scope) {
        super::tenants::must_exist(app.db(), t).await?;
    }
    Ok(scope)
}

/// The CSV header of [`csv`], one column per field of [`UsageRow`].
pub const CSV_HEADER: &str = "day,tenant_id,tenant,model,profile,slice_hours,\
compute_slice_hours,idle_held_slice_hours,cost";

/// The rows as RFC 4180 CSV (CRLF line ends, fields quoted where they need it), for finance's
/// spreadsheets. An unpriced row has an empty `cost`.
pub fn csv(rows: &[UsageRow]) -> String {
    use std::fmt::Write;
    let mut out = format!("{CSV_HEADER}\r\n");
    for r in rows {
        let cost = r.cost.map(|c| c.to_string()).unwrap_or_default();
        let _ = write!(
            out,
            "{},{},{},{},{},{},{},{},{}\r\n",
            r.day,
            r.tenant_id,
            csv_field(&r.tenant),
            csv_field(&r.model),
            csv_field(&r.profile),
            r.slice_hours,
            r.compute_slice_hours,
            r.idle_held_slice_hours,
            cost
        );
    }
    out
}

/// A text field, quoted if it holds a separator, a quote or a line break, and prefixed with
/// `'` if a spreadsheet would read it as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_it_and_leaves_unpriced_cost_empty() {
        let row = UsageRow {
            tenant_id: TenantId::new(),
            tenant: "a,\"b\"".into(),
            profile: "1g.10gb".into(),
            model: "=cmd".into(),
            day: "2026-03-10".parse().unwrap(),
            slice_hours: 1.5,
            compute_slice_hours: 3.0,
            idle_held_slice_hours: 0.25,
            cost: None,
        };
        let out = csv(std::slice::from_ref(&row));
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(
            lines[1],
            format!(
                "2026-03-10,{},\"a,\"\"b\"\"\",'=cmd,1g.10gb,1.5,3,0.25,",
                row.tenant_id
            )
        );
        assert_eq!(lines[2], "");
        let priced = csv(&[UsageRow {
            cost: Some(4.5),
            ..row
        }]);
        assert!(priced.ends_with(",0.25,4.5\r\n"), "{priced}");
    }
}
