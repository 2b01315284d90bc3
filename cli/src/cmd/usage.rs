//! `slicectl usage`: slice-hours, idle-held slice-hours and cost per tenant, model, profile and
//! day, with a total; `--csv` prints the server's CSV export as it is. `slicectl rightsizing`:
//! what ended leases used against their profiles, with the server's recommendations.

use super::{Ctx, query_value};
use crate::cli::{RightsizingArgs, UsageArgs};
use crate::error::{Error, Result};
use crate::output::{Style, Table};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use slicebroker_types::api::{RightsizingRow, UsageRow};

/// `{base}?from=…&to=…[&tenant_id=…]`, the period defaulting to this month so far.
async fn period_path(
    ctx: &mut Ctx,
    base: &str,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    tenant: Option<&str>,
) -> Result<String> {
    let now = Utc::now();
    let to = to.unwrap_or(now);
    let from = from.unwrap_or_else(|| {
        NaiveDate::from_ymd_opt(now.year(), now.month(), 1)
            .expect("the 1st exists")
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
    });
    if from >= to {
        return Err(Error::usage("--from must be before --to"));
    }
    let mut path = format!(
        "{base}?from={}&to={}",
        query_value(&from.to_rfc3339()),
        query_value(&to.to_rfc3339())
    );
    if let Some(t) = tenant {
        path.push_str(&format!("&tenant_id={}", ctx.tenant_id(t).await?));
    }
    Ok(path)
}

pub async fn usage(ctx: &mut Ctx, a: UsageArgs) -> Result<()> {
    let mut path = period_path(ctx, "/v1/usage", a.from, a.to, a.tenant.as_deref()).await?;
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

/// `slicectl rightsizing`: the right-sizing report as a table, each recommendation (or why
/// there is none) under its row.
pub async fn rightsizing(ctx: &mut Ctx, a: RightsizingArgs) -> Result<()> {
    let path = period_path(
        ctx,
        "/v1/usage/rightsizing",
        a.from,
        a.to,
        a.tenant.as_deref(),
    )
    .await?;
    let rows: Vec<RightsizingRow> = ctx.session.get(&path).await?;
    ctx.show(rows.as_slice(), rightsizing_table);
    Ok(())
}

fn gib(mib: f64) -> String {
    format!("{:.1}", mib / 1024.0)
}

fn rightsizing_table(rows: &[RightsizingRow], style: &Style) -> String {
    if rows.is_empty() {
        return "No lease ended in this period.\n".into();
    }
    let mut t = Table::new(&[
        "tenant",
        "class",
        "model",
        "profile",
        "leases",
        "median-peak-GiB",
        "peak-GiB",
        "profile-GiB",
        "busy",
        "idle-held-h",
    ]);
    let mut advice = String::new();
    for r in rows {
        t.row(vec![
            r.tenant.clone().into(),
            r.class.clone().unwrap_or_else(|| "-".into()).into(),
            r.model.clone().into(),
            r.profile.clone().into(),
            r.leases.to_string().into(),
            r.median_peak_memory_mib.map_or("-".into(), gib).into(),
            r.peak_memory_mib
                .map_or("-".into(), |p| gib(p as f64))
                .into(),
            gib(r.profile_memory_mib as f64).into(),
            r.busy_share
                .map_or("-".into(), |b| format!("{:.0} %", b * 100.0))
                .into(),
            format!("{:.2}", r.idle_held_slice_hours).into(),
        ]);
        let what = r.class.as_deref().unwrap_or(&r.profile);
        match (&r.recommendation, &r.recommendation_note) {
            (Some(rec), _) => advice.push_str(&format!("{} {what}: {}\n", r.tenant, rec.text)),
            (None, Some(note)) => advice.push_str(&format!("{} {what}: {note}\n", r.tenant)),
            (None, None) => {}
        }
    }
    format!("{}\n{advice}", t.render(style))
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
