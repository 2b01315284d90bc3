//! `slicectl usage`: slice-hours per tenant, model, profile and day, with a total.

use super::{Ctx, query_value};
use crate::cli::UsageArgs;
use crate::error::{Error, Result};
use crate::output::{Style, Table};
use chrono::{Datelike, NaiveDate, Utc};
use slicebroker_types::api::UsageRow;

pub async fn usage(ctx: &mut Ctx, a: UsageArgs) -> Result<()> {
    let now = Utc::now();
    let to = a.to.unwrap_or(now);
    let from = a.from.unwrap_or_else(|| {
        NaiveDate::from_ymd_opt(now.year(), now.month(), 1)
            .expect("the 1st exists")
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
    });
    if from >= to {
        return Err(Error::usage("--from must be before --to"));
    }
    let mut path = format!(
        "/v1/usage?from={}&to={}",
        query_value(&from.to_rfc3339()),
        query_value(&to.to_rfc3339())
    );
    if let Some(t) = &a.tenant {
        path.push_str(&format!("&tenant_id={}", ctx.tenant_id(t).await?));
    }
    let rows: Vec<UsageRow> = ctx.session.get(&path).await?;
    ctx.show(rows.as_slice(), usage_table);
    Ok(())
}

fn usage_table(rows: &[UsageRow], style: &Style) -> String {
    if rows.is_empty() {
        return "No usage in this period.\n".into();
    }
    let mut t = Table::new(&[
        "day",
        "tenant",
        "model",
        "profile",
        "slice-hours",
        "compute-slice-hours",
    ]);
    let (mut slice_hours, mut compute_hours) = (0.0, 0.0);
    for r in rows {
        slice_hours += r.slice_hours;
        compute_hours += r.compute_slice_hours;
        t.row(vec![
            r.day.to_string().into(),
            r.tenant.clone().into(),
            r.model.clone().into(),
            r.profile.clone().into(),
            format!("{:.2}", r.slice_hours).into(),
            format!("{:.2}", r.compute_slice_hours).into(),
        ]);
    }
    t.row(vec![
        "total".into(),
        "".into(),
        "".into(),
        "".into(),
        format!("{slice_hours:.2}").into(),
        format!("{compute_hours:.2}").into(),
    ]);
    t.render(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_ends_with_a_total() {
        let row = |tenant: &str, h: f64| UsageRow {
            tenant_id: slicebroker_types::TenantId::default(),
            tenant: tenant.into(),
            profile: "2g.20gb".into(),
            model: "h100-80gb".into(),
            day: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            slice_hours: h,
            compute_slice_hours: 2.0 * h,
        };
        let text = usage_table(&[row("a", 1.5), row("b", 2.25)], &Style { color: false });
        let last = text.lines().last().unwrap();
        assert!(last.starts_with("total"), "{text}");
        let cells: Vec<&str> = last.split_whitespace().collect();
        assert_eq!(cells, ["total", "3.75", "7.50"], "{text}");
    }
}
