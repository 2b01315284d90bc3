//! `slicectl tenant …` (admin; `show` also for a tenant's own keys): create, list, show, and
//! change quotas and policy.

use super::Ctx;
use crate::cli::{PolicyArgs, TenantCommand};
use crate::error::Result;
use crate::output::{self, Style, Table};
use chrono::Utc;
use slicebroker_types::api::{Tenant, TenantCreate, TenantPolicy, TenantPolicyPatch, TenantUpdate};

pub async fn run(ctx: &mut Ctx, command: TenantCommand) -> Result<()> {
    match command {
        TenantCommand::Create {
            name,
            display_name,
            policy,
        } => {
            let base = TenantPolicy::default();
            let mut p = base.clone();
            let policy = apply(&mut p, &policy).then(|| TenantPolicyPatch::between(&base, &p));
            let body = TenantCreate {
                name,
                display_name,
                policy,
            };
            let t: Tenant = ctx.session.post("/v1/tenants", &body).await?;
            ctx.show(&t, human);
        }
        TenantCommand::Ls => {
            let all: Vec<Tenant> = ctx.session.get("/v1/tenants").await?;
            ctx.show(all.as_slice(), table);
        }
        TenantCommand::Show { tenant } => {
            let id = ctx.tenant_id(&tenant).await?;
            let t: Tenant = ctx.session.get(&format!("/v1/tenants/{id}")).await?;
            ctx.show(&t, human);
        }
        TenantCommand::Set {
            tenant,
            display_name,
            policy,
        } => {
            let id = ctx.tenant_id(&tenant).await?;
            // Only the fields given are sent: the server keeps the others as they are then.
            let current: Tenant = ctx.session.get(&format!("/v1/tenants/{id}")).await?;
            let mut p = current.policy.clone();
            let changed = apply(&mut p, &policy);
            let body = TenantUpdate {
                display_name,
                policy: changed.then(|| TenantPolicyPatch::between(&current.policy, &p)),
            };
            let t: Tenant = ctx
                .session
                .patch(&format!("/v1/tenants/{id}"), &body)
                .await?;
            ctx.show(&t, human);
        }
    }
    Ok(())
}

/// Sets the policy fields the options give; says whether that changed the policy. The
/// options' parsers keep each value within the API's bounds.
fn apply(p: &mut TenantPolicy, a: &PolicyArgs) -> bool {
    let before = p.clone();
    if let Some(v) = a.max_compute_slices {
        p.max_live_compute_slices = v.into_option();
    }
    if let Some(v) = a.max_memory {
        p.max_live_memory_gib = v.into_option();
    }
    if let Some(v) = a.max_leases {
        p.max_live_leases = v.into_option();
    }
    if let Some(v) = a.max_lease {
        p.max_lease_seconds = v;
    }
    if let Some(v) = a.max_extension {
        p.max_total_extension_seconds = v;
    }
    if let Some(v) = a.default_idle_timeout {
        p.default_idle_timeout_seconds = v;
    }
    if let Some(v) = &a.models {
        p.allowed_gpu_models = v.0.clone();
    }
    if let Some(v) = a.monthly_budget {
        p.monthly_budget_slice_hours = v.into_option();
    }
    if let Some(v) = a.max_compute_slices_outside_classes {
        p.max_compute_slices_outside_classes = v.into_option();
    }
    if let Some(v) = a.max_booking_ahead {
        p.max_booking_ahead_seconds = v;
    }
    if let Some(v) = a.max_bookings {
        p.max_bookings = v.into_option();
    }
    if let Some(v) = a.max_booking {
        p.max_booking_seconds = v.into_option();
    }
    *p != before
}

fn limit(v: Option<impl ToString>) -> String {
    v.map_or("unlimited".into(), |v| v.to_string())
}

fn models(p: &TenantPolicy) -> String {
    if p.allowed_gpu_models.is_empty() {
        "any".into()
    } else {
        p.allowed_gpu_models.join(",")
    }
}

fn human(t: &Tenant, _: &Style) -> String {
    let p = &t.policy;
    let now = Utc::now();
    output::fields(&[
        ("Tenant", t.name.clone()),
        ("Id", t.id.to_string()),
        ("Display name", t.display_name.clone()),
        ("Max compute slices", limit(p.max_live_compute_slices)),
        ("Max memory", limit(p.max_live_memory_gib.map(output::gib))),
        ("Max live leases", limit(p.max_live_leases)),
        ("Longest lease", output::duration(p.max_lease_seconds)),
        (
            "Extensions up to",
            extensions(p.max_total_extension_seconds),
        ),
        (
            "Default idle timeout",
            output::duration(p.default_idle_timeout_seconds),
        ),
        ("GPU models", models(p)),
        (
            "Outside classes",
            outside_classes(p.max_compute_slices_outside_classes),
        ),
        (
            "Monthly budget",
            limit(
                p.monthly_budget_slice_hours
                    .map(|h| format!("{h} compute-slice-hours")),
            ),
        ),
        (
            "Books ahead up to",
            booking_ahead(p.max_booking_ahead_seconds),
        ),
        ("Bookings at once", limit(p.max_bookings)),
        ("Longest booking", longest_booking(p)),
        ("Created", output::when(Some(t.created_at), now)),
        ("Updated", output::when(Some(t.updated_at), now)),
    ])
}

/// `max_total_extension_seconds`: 0 allows none.
fn extensions(secs: i64) -> String {
    match secs {
        0 => "none: leases cannot be extended".into(),
        s => output::duration(s),
    }
}

/// `max_compute_slices_outside_classes`: 0 leaves no profile outside the classes.
fn outside_classes(max: Option<i32>) -> String {
    match max {
        None => "any profile".into(),
        Some(0) => "none: every lease must name a slice class".into(),
        Some(n) => format!("profiles up to {n}g"),
    }
}

/// `max_booking_ahead_seconds`: 0 allows no booking.
fn booking_ahead(secs: i64) -> String {
    match secs {
        0 => "no bookings: leases start now".into(),
        s => output::duration(s),
    }
}

/// `max_booking_seconds`, `null` meaning the longest lease's.
fn longest_booking(p: &TenantPolicy) -> String {
    match p.max_booking_seconds {
        Some(s) => output::duration(s),
        None => format!(
            "{} (the longest lease's)",
            output::duration(p.max_lease_seconds)
        ),
    }
}

fn table(tenants: &[Tenant], style: &Style) -> String {
    let mut t = Table::new(&[
        "name", "id", "compute", "memory", "leases", "longest", "models", "budget",
    ]);
    for x in tenants {
        let p = &x.policy;
        t.row(vec![
            x.name.clone().into(),
            x.id.to_string().into(),
            limit(p.max_live_compute_slices).into(),
            limit(p.max_live_memory_gib.map(output::gib)).into(),
            limit(p.max_live_leases).into(),
            output::duration(p.max_lease_seconds).into(),
            models(p).into(),
            limit(p.monthly_budget_slice_hours).into(),
        ]);
    }
    t.render(style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{Limit, Models};

    #[test]
    fn only_the_options_given_change_the_policy() {
        let mut p = TenantPolicy {
            max_live_leases: Some(3),
            ..TenantPolicy::default()
        };
        assert!(!apply(&mut p, &PolicyArgs::default()));
        assert_eq!(p.max_live_leases, Some(3));

        let args = PolicyArgs {
            max_compute_slices: Some(Limit::Some(4)),
            max_leases: Some(Limit::None),
            max_memory: Some(Limit::Some(80)),
            models: Some(Models(vec!["h100-80gb".into()])),
            max_compute_slices_outside_classes: Some(Limit::Some(4)),
            ..PolicyArgs::default()
        };
        assert!(apply(&mut p, &args));
        assert_eq!(p.max_compute_slices_outside_classes, Some(4));
        assert_eq!(p.max_live_compute_slices, Some(4));
        assert_eq!(p.max_live_leases, None);
        assert_eq!(p.max_live_memory_gib, Some(80));
        assert_eq!(p.allowed_gpu_models, ["h100-80gb"]);
        assert_eq!(
            p.max_lease_seconds,
            TenantPolicy::default().max_lease_seconds
        );
    }

    #[test]
    fn every_policy_field_has_an_option_and_zero_is_a_value() {
        let mut p = TenantPolicy::default();
        let args = PolicyArgs {
            max_compute_slices: Some(Limit::Some(1)),
            max_memory: Some(Limit::Some(2)),
            max_leases: Some(Limit::Some(3)),
            max_lease: Some(4),
            max_extension: Some(0),
            default_idle_timeout: Some(5),
            models: Some(Models(vec!["h100-80gb".into()])),
            monthly_budget: Some(Limit::Some(6)),
            max_compute_slices_outside_classes: Some(Limit::Some(0)),
            max_booking_ahead: Some(0),
            max_bookings: Some(Limit::Some(0)),
            max_booking: Some(Limit::Some(7)),
        };
        assert!(apply(&mut p, &args));
        // Every field of the policy differs from its default: an option reached each.
        let patch = TenantPolicyPatch::between(&TenantPolicy::default(), &p);
        let sent = serde_json::to_value(&patch).unwrap();
        let every = serde_json::to_value(TenantPolicy::default()).unwrap();
        for field in every.as_object().unwrap().keys() {
            assert!(
                sent.get(field).is_some(),
                "no option sets `{field}`: {sent}"
            );
        }
        assert_eq!(sent["max_total_extension_seconds"], 0);
        assert_eq!(sent["max_booking_ahead_seconds"], 0);
        assert_eq!(sent["max_bookings"], 0);
        assert_eq!(sent["max_booking_seconds"], 7);

        // `none` lifts the nullable ones again.
        let lift = PolicyArgs {
            max_bookings: Some(Limit::None),
            max_booking: Some(Limit::None),
            ..PolicyArgs::default()
        };
        assert!(apply(&mut p, &lift));
        assert_eq!((p.max_bookings, p.max_booking_seconds), (None, None));
    }

    #[test]
    fn zero_limits_read_as_what_they_forbid() {
        assert_eq!(outside_classes(None), "any profile");
        assert_eq!(
            outside_classes(Some(0)),
            "none: every lease must name a slice class"
        );
        assert_eq!(outside_classes(Some(4)), "profiles up to 4g");
        assert_eq!(extensions(0), "none: leases cannot be extended");
        assert_eq!(extensions(86_400), "1d");
        assert_eq!(booking_ahead(0), "no bookings: leases start now");
        let p = TenantPolicy::default();
        assert_eq!(longest_booking(&p), "7d (the longest lease's)");
        let p = TenantPolicy {
            max_booking_seconds: Some(3600),
            ..p
        };
        assert_eq!(longest_booking(&p), "1h");
    }
}
