//! `slicectl classes`: the slice classes the caller may use (admins: every class, with the
//! tenants each is restricted to). A tenant's caller sees each class's idle timeout as its
//! leases get it: capped by the tenant's default idle timeout.

use super::Ctx;
use crate::error::Result;
use crate::output::{self, Style, Table};
use slicebroker_types::TenantId;
use slicebroker_types::api::{SliceClass, Tenant};
use std::collections::HashMap;

/// Who is looking, for what the table shows.
enum Viewer {
    /// A tenant's key: leases get the smaller of a class's idle timeout and this (the tenant's
    /// `default_idle_timeout_seconds`).
    Tenant { default_idle_timeout: i64 },
    /// An admin: every tenant's name, to say whom a class is restricted to.
    Admin { names: HashMap<TenantId, String> },
}

pub async fn list(ctx: &mut Ctx) -> Result<()> {
    let classes: Vec<SliceClass> = ctx.session.get("/v1/classes").await?;
    let viewer = match ctx.session.whoami().await?.tenant {
        Some(own) => {
            let own: Tenant = ctx.session.get(&format!("/v1/tenants/{own}")).await?;
            Viewer::Tenant {
                default_idle_timeout: own.policy.default_idle_timeout_seconds,
            }
        }
        None => {
            let all: Vec<Tenant> = ctx.session.get("/v1/tenants").await?;
            Viewer::Admin {
                names: all.into_iter().map(|t| (t.id, t.name)).collect(),
            }
        }
    };
    ctx.show(classes.as_slice(), |c, style| {
        classes_table(c, &viewer, style)
    });
    Ok(())
}

/// A class's idle timeout as the viewer's leases get it: the class's, or the tenant's default
/// where that is shorter (and then the class's too, so neither surprises).
fn idle_timeout(c: &SliceClass, viewer: &Viewer) -> String {
    match viewer {
        Viewer::Tenant {
            default_idle_timeout,
        } if *default_idle_timeout < c.idle_timeout_seconds => format!(
            "{} (your tenant's; the class's {})",
            output::duration(*default_idle_timeout),
            output::duration(c.idle_timeout_seconds)
        ),
        _ => output::duration(c.idle_timeout_seconds),
    }
}

/// The tenants a class is open to, by name (an id the admin's list lacks, by id).
fn tenants(c: &SliceClass, names: &HashMap<TenantId, String>) -> String {
    match &c.tenants {
        None => "all".into(),
        Some(ids) if ids.is_empty() => "none".into(),
        Some(ids) => {
            let mut named: Vec<String> = ids
                .iter()
                .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string()))
                .collect();
            named.sort();
            named.join(",")
        }
    }
}

/// What a class gives, in one cell: its profile per model, then its need elsewhere.
fn gives(c: &SliceClass) -> String {
    let mut parts: Vec<String> = c
        .profiles
        .iter()
        .map(|(model, profile)| format!("{profile} on {model}"))
        .collect();
    if let Some(gib) = c.min_memory_gib {
        let need = format!("≥{gib}GiB/≥{}g", c.min_compute_slices.unwrap_or(1));
        parts.push(if c.profiles.is_empty() {
            need
        } else {
            format!("{need} elsewhere")
        });
    }
    parts.join(", ")
}

fn classes_table(classes: &[SliceClass], viewer: &Viewer, style: &Style) -> String {
    if classes.is_empty() {
        return "No slice classes are open to you.\n".into();
    }
    let mut header = vec![
        "class",
        "gives",
        "default",
        "longest",
        "idle timeout",
        "priority",
    ];
    if matches!(viewer, Viewer::Admin { .. }) {
        header.push("tenants");
    }
    header.push("description");
    let mut t = Table::new(&header);
    for c in classes {
        let mut row = vec![
            c.name.clone().into(),
            gives(c).into(),
            output::duration(c.default_duration_seconds).into(),
            output::duration(c.max_duration_seconds).into(),
            idle_timeout(c, viewer).into(),
            c.priority.to_string().into(),
        ];
        if let Viewer::Admin { names } = viewer {
            row.push(tenants(c, names).into());
        }
        row.push(c.description.clone().into());
        t.row(row);
    }
    t.render(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notebook() -> SliceClass {
        let now = chrono::Utc::now();
        SliceClass {
            name: "notebook".into(),
            description: "Notebooks".into(),
            profiles: [("h100-80gb".to_owned(), "1g.10gb".to_owned())].into(),
            min_memory_gib: Some(10),
            min_compute_slices: None,
            default_duration_seconds: 3600,
            max_duration_seconds: 8 * 3600,
            idle_timeout_seconds: 1800,
            priority: 0,
            tenants: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_class_row_says_what_it_gives_per_model_and_elsewhere() {
        let c = notebook();
        assert_eq!(gives(&c), "1g.10gb on h100-80gb, ≥10GiB/≥1g elsewhere");
        let viewer = Viewer::Tenant {
            default_idle_timeout: 7200,
        };
        let text = classes_table(&[c], &viewer, &Style { color: false });
        assert!(text.contains("notebook"), "{text}");
        assert!(!text.contains("TENANTS"), "{text}");
    }

    #[test]
    fn a_tenant_sees_the_idle_timeout_its_leases_get() {
        let c = notebook();
        let longer = Viewer::Tenant {
            default_idle_timeout: 7200,
        };
        assert_eq!(idle_timeout(&c, &longer), "30m");
        let shorter = Viewer::Tenant {
            default_idle_timeout: 600,
        };
        assert_eq!(
            idle_timeout(&c, &shorter),
            "10m (your tenant's; the class's 30m)"
        );
        let admin = Viewer::Admin {
            names: HashMap::new(),
        };
        assert_eq!(idle_timeout(&c, &admin), "30m");
    }

    #[test]
    fn an_admin_sees_whom_a_class_is_restricted_to() {
        let (vision, audio, gone) = (TenantId::new(), TenantId::new(), TenantId::new());
        let names = HashMap::from([(vision, "vision".to_owned()), (audio, "audio".to_owned())]);
        let mut c = notebook();
        assert_eq!(tenants(&c, &names), "all");
        c.tenants = Some(vec![vision, audio]);
        assert_eq!(tenants(&c, &names), "audio,vision");
        c.tenants = Some(vec![gone]);
        assert_eq!(tenants(&c, &names), gone.to_string());
        c.tenants = Some(vec![]);
        assert_eq!(tenants(&c, &names), "none");
        let text = classes_table(&[c], &Viewer::Admin { names }, &Style { color: false });
        assert!(text.contains("TENANTS"), "{text}");
    }
}
