//! The gauges `/metrics` reads at scrape time from the database (one read-only snapshot, so
//! they agree with each other) and from the placement index: per slice, per tenant, per host,
//! per GPU (its health, `health.rs`) and for the fleet. Every replica reads the same database,
//! so every replica exports the same values: aggregate across replicas with `max`, never
//! `sum`.

use super::text::{Text, labels_block};
use crate::app::{App, Error};
use crate::domain::budget::Month;
use crate::store;
use chrono::Utc;
use slicebroker_types::GpuModel;
use slicebroker_types::api::LeaseState;

/// Every lease state transition by (from, to, kind): states and event kinds are closed
/// enums, so the label values are bounded. Counted by a trigger in the writing transaction and
/// read from the database, so every replica exports the same fleet-wide values.
fn render_transitions(t: &mut Text, transitions: &[(String, String, String, i64)]) {
    let name = "slicebroker_lease_transitions_total";
    t.family(
        name,
        "counter",
        "Lease state transitions by from state (none for a lease's first event), to state and \
         the event kind that made them (read from the database: the same on every replica).",
    );
    for (from, to, kind, n) in transitions {
        t.sample(
            name,
            &[("from", from), ("to", to), ("kind", kind)],
            *n as f64,
        );
    }
}

/// The GPU states `store::metrics::gpus` tells apart; each model gets a series for each.
const GPU_STATES: [&str; 5] = [
    "schedulable",
    "cordoned",
    "unreachable",
    "mig_disabled",
    "geometry_mismatch",
];

pub(super) async fn render(app: &App, t: &mut Text) -> Result<(), Error> {
    let month = Month::containing(Utc::now());
    let mut tx = app.db().begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let slices = store::metrics::slices(&mut *tx).await?;
    let tenants = store::metrics::tenants(&mut *tx, month.start, month.end).await?;
    let tenant_leases = store::metrics::tenant_leases(&mut *tx).await?;
    let leases = store::metrics::leases(&mut *tx).await?;
    let transitions = store::metrics::transitions(&mut *tx).await?;
    let gpus = store::metrics::gpus(&mut *tx).await?;
    let hosts = store::metrics::hosts(&mut *tx).await?;
    let gpu_health = store::metrics::gpu_health(&mut *tx).await?;
    let gpu_xids = store::metrics::gpu_xids(&mut *tx).await?;
    let (pending, oldest) = store::metrics::pending(&mut *tx).await?;
    tx.commit().await?;

    render_slices(t, &slices, app.config().metrics_tenant_labels);
    render_tenants(t, &tenants, &tenant_leases);
    render_leases(t, &leases);
    render_transitions(t, &transitions);
    render_gpus(t, &gpus);
    render_hosts(t, &hosts);
    super::health::render(t, &gpu_health, &gpu_xids);
    t.single(
        "slicebroker_pending_leases",
        "gauge",
        "Leases waiting in the pending queue.",
        pending as f64,
    );
    t.single(
        "slicebroker_pending_oldest_wait_seconds",
        "gauge",
        "How long the oldest pending lease has waited (0 when none waits).",
        oldest,
    );
    render_capacity(app, t);
    Ok(())
}

fn render_slices(t: &mut Text, slices: &[store::metrics::SliceGauge], tenant_label: bool) {
    type Get = fn(&store::metrics::SliceGauge) -> Option<f64>;
    let families: [(&str, &str, Get); 5] = [
        (
            "slicebroker_slice_busy",
            "1 if the agent's last report saw compute processes (or activity, where measured) \
             on the slice of an active lease, else 0.",
            |s| Some(if s.busy { 1.0 } else { 0.0 }),
        ),
        (
            "slicebroker_slice_idle_seconds",
            "Seconds since the slice was last seen busy (since activation if never).",
            |s| Some(s.idle_seconds),
        ),
        (
            "slicebroker_slice_processes",
            "Compute processes on the slice at the last report.",
            |s| Some(s.processes as f64),
        ),
        (
            "slicebroker_slice_memory_used_bytes",
            "Memory used on the slice at the last report (where reported).",
            |s| s.memory_used_mib.map(|m| m as f64 * 1_048_576.0),
        ),
        (
            "slicebroker_slice_activity_ratio",
            "Share of time the slice's SMs were busy (GPM, Hopper and later; absent where not \
             measured).",
            |s| s.activity,
        ),
    ];
    let blocks: Vec<String> = slices
        .iter()
        .map(|s| {
            let placement = format!("{}+{}", s.start, s.size);
            let mut labels = vec![
                ("host", s.host.as_str()),
                ("gpu", s.gpu.as_str()),
                ("model", s.model.as_str()),
                ("placement", placement.as_str()),
                ("profile", s.profile.as_str()),
            ];
            if tenant_label {
                labels.push(("tenant", s.tenant.as_str()));
            }
            labels_block(&labels)
        })
        .collect();
    for (name, help, get) in families {
        t.family(name, "gauge", help);
        for (s, block) in slices.iter().zip(&blocks) {
            if let Some(v) = get(s) {
                t.sample_with(name, block, v);
            }
        }
    }
}

fn render_tenants(
    t: &mut Text,
    tenants: &[store::metrics::TenantGauge],
    leases: &[(String, String, i64)],
) {
    type Get = fn(&store::metrics::TenantGauge) -> Option<f64>;
    let families: [(&str, &str, Get); 6] = [
        (
            "slicebroker_tenant_live_slices",
            "Slices the tenant holds (not released), bookings included.",
            |g| Some(g.live_slices as f64),
        ),
        (
            "slicebroker_tenant_live_compute_slices",
            "Compute slices the tenant holds, as its quota counts them.",
            |g| Some(g.live_compute_slices as f64),
        ),
        (
            "slicebroker_tenant_quota_compute_slices",
            "The tenant's quota of live compute slices (absent when unlimited).",
            |g| g.max_live_compute_slices.map(f64::from),
        ),
        (
            "slicebroker_tenant_quota_leases",
            "The tenant's quota of live leases (absent when unlimited).",
            |g| g.max_live_leases.map(f64::from),
        ),
        (
            "slicebroker_tenant_budget_used_compute_slice_hours",
            "Compute-slice-hours committed this UTC month, as the budget check counts them \
             (used so far plus the booked rest of live leases).",
            |g| Some(g.budget_used_seconds as f64 / 3600.0),
        ),
        (
            "slicebroker_tenant_budget_compute_slice_hours",
            "The tenant's monthly budget in compute-slice-hours (absent when unlimited).",
            |g| g.monthly_budget.map(|b| b as f64),
        ),
    ];
    for (name, help, get) in families {
        t.family(name, "gauge", help);
        for g in tenants {
            if let Some(v) = get(g) {
                t.sample(name, &[("tenant", &g.tenant)], v);
            }
        }
    }
    let name = "slicebroker_tenant_leases";
    t.family(
        name,
        "gauge",
        "The tenant's leases that have not ended, by state.",
    );
    for g in tenants {
        for state in LeaseState::ALL.iter().filter(|s| **s != LeaseState::Ended) {
            let state = state_name(*state);
            let n = leases
                .iter()
                .find(|(tenant, s, _)| *tenant == g.tenant && s == state)
                .map_or(0, |(.., n)| *n);
            t.sample(name, &[("tenant", &g.tenant), ("state", state)], n as f64);
        }
    }
}

fn state_name(s: LeaseState) -> &'static str {
    match s {
        LeaseState::Booked => "booked",
        LeaseState::Pending => "pending",
        LeaseState::Provisioning => "provisioning",
        LeaseState::Active => "active",
        LeaseState::Releasing => "releasing",
        LeaseState::Ended => "ended",
    }
}

fn render_leases(t: &mut Text, leases: &[(String, Option<String>, i64)]) {
    t.family("slicebroker_leases", "gauge", "Leases by state.");
    for state in LeaseState::ALL {
        let state = state_name(state);
        let n: i64 = leases
            .iter()
            .filter(|(s, ..)| s == state)
            .map(|(.., n)| n)
            .sum();
        t.sample("slicebroker_leases", &[("state", state)], n as f64);
    }
    let name = "slicebroker_leases_ended_total";
    t.family(
        name,
        "counter",
        "Leases that ended, by reason (read from the database: the same on every replica).",
    );
    for (_, reason, n) in leases.iter().filter(|(s, ..)| s == "ended") {
        t.sample(
            name,
            &[("reason", reason.as_deref().unwrap_or("unknown"))],
            *n as f64,
        );
    }
}

fn render_gpus(t: &mut Text, gpus: &[(String, String, i64)]) {
    let name = "slicebroker_gpus";
    t.family(
        name,
        "gauge",
        "GPUs of present hosts by model and state (schedulable, cordoned, unreachable, \
         mig_disabled, geometry_mismatch).",
    );
    let mut models: Vec<&str> = gpus.iter().map(|(m, ..)| m.as_str()).collect();
    models.dedup();
    for model in models {
        for state in GPU_STATES {
            let n = gpus
                .iter()
                .find(|(m, s, _)| m == model && s == state)
                .map_or(0, |(.., n)| *n);
            t.sample(name, &[("model", model), ("state", state)], n as f64);
        }
    }
}

fn render_hosts(t: &mut Text, hosts: &[store::metrics::HostGauge]) {
    type Get = fn(&store::metrics::HostGauge) -> Option<f64>;
    let families: [(&str, &str, Get); 4] = [
        (
            "slicebroker_host_unreachable",
            "1 while the host's agent is silent past host_unreachable_after, else 0.",
            |h| Some(if h.unreachable { 1.0 } else { 0.0 }),
        ),
        (
            "slicebroker_host_report_age_seconds",
            "Seconds since the host's agent last reported (absent before its first report).",
            |h| h.report_age,
        ),
        (
            "slicebroker_host_generation_lag",
            "Desired generations the host's agent has not yet reported applied.",
            |h| Some(h.generation_lag as f64),
        ),
        (
            "slicebroker_host_reconcile_behind_seconds",
            "How long the host's newest desired generation has waited for its agent (0 when \
             caught up).",
            |h| Some(h.reconcile_behind),
        ),
    ];
    for (name, help, get) in families {
        t.family(name, "gauge", help);
        for h in hosts {
            if let Some(v) = get(h) {
                t.sample(name, &[("host", &h.host)], v);
            }
        }
    }
}

/// Free capacity per model and profile from this replica's placement index, and how many of
/// each model's largest profile still fit (fragmentation: free memory slices that cannot take
/// a large profile show as a small count here beside large counts of small profiles).
fn render_capacity(app: &App, t: &mut Text) {
    let capacity = app.index().capacity();
    t.family(
        "slicebroker_free_capacity",
        "gauge",
        "Instances of each profile that fit now, per model (each GPU counted on its own).",
    );
    for (m, profiles) in &capacity {
        let model = GpuModel::get(*m);
        for (p, n) in profiles {
            let labels = [("model", model.key), ("profile", model.profile(*p).name)];
            t.sample("slicebroker_free_capacity", &labels, f64::from(*n));
        }
    }
    let name = "slicebroker_largest_profile_fits";
    t.family(
        name,
        "gauge",
        "How many of each model's largest profile (most memory slices) fit now.",
    );
    for (m, profiles) in &capacity {
        let model = GpuModel::get(*m);
        let mut largest: Option<(&'static slicebroker_types::Profile, u32)> = None;
        for (p, n) in profiles {
            let prof = model.profile(*p);
            let bigger = largest.is_none_or(|(l, _)| {
                (prof.memory_slices, prof.compute_slices) > (l.memory_slices, l.compute_slices)
            });
            if bigger {
                largest = Some((prof, *n));
            }
        }
        if let Some((prof, n)) = largest {
            t.sample(
                name,
                &[("model", model.key), ("profile", prof.name)],
                f64::from(n),
            );
        }
    }
}
