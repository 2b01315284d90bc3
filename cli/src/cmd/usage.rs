//! `slicectl usage`: slice-hours, idle-held slice-hours and cost per tenant, model, profile and
//! day, with a total; `--csv` prints the server's CSV export as it is.

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
    if a.csv {
        path.push_str("&format=csv");
        print!("{}", ctx.session.get_text(&path).await?);
        return Ok(());
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
        "idle-held",
        "cost",
    ]);
    let (mut slice_hours, mut compute_hours, mut idle_hours) = (0.0, 0.0, 0.0);
    let mut cost: Option<f64> = None;
    for r in rows {
        slice_hours += r.slice_hours;
        compute_hours += r.compute_slice_hours;
        idle_hours += r.idle_held_slice_hours;
        if let Some(c) = r.cost {
            cost = Some(cost.unwrap_or(0.0) + c);
        }
        t.row(vec![
            r.day.to_string().into(),
            r.tenant.clone().into(),
            r.model.clone().into(),
            r.profile.clone().into(),
            format!("{:.2}", r.slice_hours).into(),
            format!("{:.2}", r.compute_slice_hours).into(),
            format!("{:.2}", r.idle_held_slice_hours).into(),
            money(r.cost).into(),
        ]);
    }
    t.row(vec![
        "total".into(),
        "".into(),
        "".into(),
        "".into(),
        format!("{slice_hours:.2}").into(),
        format!("{compute_hours:.2}").into(),
        format!("{idle_hours:.2}").into(),
        money(cost).into(),
    ]);
    t.render(style)
}

/// A cost to the cent; `-` where no rate applies.
fn money(cost: Option<f64>) -> String {
    cost.map_or_else(|| "-".into(), |c| format!("{c:.2}"))
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
            idle_held_slice_hours: h / 3.0,
            cost: (tenant == "a").then_some(10.0 * h),
        };
        let text = usage_table(&[row("a", 1.5), row("b", 2.25)], &Style { color: false });
        let last = text.lines().last().unwrap();
        assert!(last.starts_with("total"), "{text}");
        let cells: Vec<&str> = last.split_whitespace().collect();
        assert_eq!(cells, ["total", "3.75", "7.50", "1.25", "15.00"], "{text}");
        assert!(
            text.lines().nth(2).unwrap().trim_end().ends_with('-'),
            "{text}"
        );
    }
}
