//! `slicectl tenant …` (admin): create, list, show, and change quotas and policy.

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

/// Sets the policy fields the options give; says whether that changed the policy.
fn apply(p: &mut TenantPolicy, a: &PolicyArgs) -> bool {
    let before = p.clone();
    if let Some(v) = a.max_compute_slices {
        p.max_live_compute_slices = v.into_option().map(clamp);
    }
    if let Some(v) = a.max_memory {
        p.max_live_memory_gib = v.into_option().map(|g| clamp(i64::from(g)));
    }
    if let Some(v) = a.max_leases {
        p.max_live_leases = v.into_option().map(clamp);
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
        p.max_compute_slices_outside_classes = v.into_option().map(clamp);
    }
    *p != before
}

/// Quotas are `i32` on the wire; a larger number means no practical limit.
fn clamp(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
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
            output::duration(p.max_total_extension_seconds),
        ),
        (
            "Default idle timeout",
            output::duration(p.default_idle_timeout_seconds),
        ),
        ("GPU models", models(p)),
        (
            "Outside classes",
            p.max_compute_slices_outside_classes
                .map_or("any profile".into(), |n| format!("profiles up to {n}g")),
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
            output::duration(p.max_booking_ahead_seconds),
        ),
        ("Bookings at once", limit(p.max_bookings)),
        (
            "Longest booking",
            output::duration(p.max_booking_seconds.unwrap_or(p.max_lease_seconds)),
        ),
        ("Created", output::when(Some(t.created_at), now)),
        ("Updated", output::when(Some(t.updated_at), now)),
    ])
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
}
