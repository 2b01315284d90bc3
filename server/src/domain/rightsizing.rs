//! Right-sizing: from what leases really used (peak memory, busy share, from the agents'
//! reports), per tenant, class, GPU model and profile, whether a smaller profile would have
//! served them, and the compute-slice-hours that would have freed. A recommendation is made
//! only where the evidence is strong:
//!
//! - at least [`MIN_LEASES`] leases in the group (fewer: the answer says how many are needed);
//! - a lease is *served* by a smaller profile when its peak memory plus [`HEADROOM`] fits in
//!   the profile's nominal memory and it was busy less than [`BUSY_UNDER`] of its held time
//!   (a lease without a memory figure is never served);
//! - at least [`SERVED_SHARE`] of the group's leases are served.
//!
//! The profile named is the smallest plain profile of the same GPU model (least memory, then
//! fewest compute slices, from the catalog) with less memory and no more compute slices than
//! the one held that meets those rules. Profile memory is the nominal figure in the name
//! (`10` GiB for `1g.10gb`), which the usable memory is always a little under; the headroom
//! covers that and the spikes a report can miss.

use slicebroker_types::TenantId;
use slicebroker_types::api::{LeaseUsage, Recommendation, RightsizingRow};
use slicebroker_types::catalog::GpuModel;
use std::collections::BTreeMap;

/// Fewest leases in a group for a recommendation.
pub const MIN_LEASES: usize = 10;
/// Peak memory × (1 + `HEADROOM`) must fit in the smaller profile's memory.
pub const HEADROOM: f64 = 0.10;
/// A served lease was busy less than this share of its held time.
pub const BUSY_UNDER: f64 = 0.20;
/// Share of a group's leases a smaller profile must serve.
pub const SERVED_SHARE: f64 = 0.90;

/// One lease that ended in the period, with what it used.
#[derive(Clone, Debug)]
pub struct LeaseFacts {
    pub tenant_id: TenantId,
    pub tenant: String,
    pub class: Option<String>,
    pub model: String,
    pub profile: String,
    pub compute_slices: i32,
    pub usage: LeaseUsage,
}

/// The report: one row per tenant, class, model and profile, ordered by tenant name, class
/// (none first), model and profile.
pub fn report(leases: Vec<LeaseFacts>) -> Vec<RightsizingRow> {
    let mut groups: BTreeMap<_, Vec<LeaseFacts>> = BTreeMap::new();
    for l in leases {
        let key = (
            l.tenant.clone(),
            l.tenant_id,
            l.class.clone(),
            l.model.clone(),
            l.profile.clone(),
        );
        groups.entry(key).or_default().push(l);
    }
    groups.into_values().map(|g| row(&g)).collect()
}

/// The nominal memory of `profile` on `model` (MiB), from the catalog.
fn profile_memory_mib(model: &str, profile: &str) -> Option<i64> {
    let m = GpuModel::get(GpuModel::find(model)?);
    let p = m.profile(m.profile_by_name(profile)?);
    Some(i64::from(p.nominal_memory_gib()) * 1024)
}

fn row(g: &[LeaseFacts]) -> RightsizingRow {
    let first = &g[0];
    let n = g.len();
    let mut peaks: Vec<i64> = g.iter().filter_map(|l| l.usage.peak_memory_mib).collect();
    peaks.sort_unstable();
    let median = match peaks.len() {
        0 => None,
        k if k % 2 == 1 => Some(peaks[k / 2] as f64),
        k => Some((peaks[k / 2 - 1] + peaks[k / 2]) as f64 / 2.0),
    };
    let held: f64 = g.iter().map(|l| l.usage.held_seconds).sum();
    let idle: f64 = g.iter().map(|l| l.usage.idle_held_seconds).sum();
    let memory = profile_memory_mib(&first.model, &first.profile)
        .or_else(|| g.iter().find_map(|l| l.usage.profile_memory_mib))
        .unwrap_or(0);
    let (recommendation, note) = if n < MIN_LEASES {
        (
            None,
            Some(format!(
                "too few leases for a recommendation: {n} of the {MIN_LEASES} needed"
            )),
        )
    } else {
        match recommend(g) {
            Some(r) => (Some(r), None),
            None => (
                None,
                Some(format!(
                    "no smaller profile would have served {:.0} % of these leases",
                    SERVED_SHARE * 100.0
                )),
            ),
        }
    };
    RightsizingRow {
        tenant_id: first.tenant_id,
        tenant: first.tenant.clone(),
        class: first.class.clone(),
        model: first.model.clone(),
        profile: first.profile.clone(),
        profile_memory_mib: memory,
        leases: n as i64,
        leases_with_memory: peaks.len() as i64,
        median_peak_memory_mib: median,
        peak_memory_mib: peaks.last().copied(),
        busy_share: (held > 0.0).then(|| (held - idle) / held),
        slice_hours: held / 3600.0,
        idle_held_slice_hours: idle / 3600.0,
        recommendation,
        recommendation_note: note,
    }
}

/// Whether `l` fits in `memory_mib` with headroom and was mostly not busy.
fn served(l: &LeaseFacts, memory_mib: i64) -> bool {
    l.usage
        .peak_memory_mib
        .is_some_and(|p| p as f64 * (1.0 + HEADROOM) <= memory_mib as f64)
        && l.usage.busy_share.is_some_and(|b| b < BUSY_UNDER)
}

fn recommend(g: &[LeaseFacts]) -> Option<Recommendation> {
    let first = &g[0];
    let model = GpuModel::get(GpuModel::find(&first.model)?);
    let held = model.profile(model.profile_by_name(&first.profile)?);
    let held_memory = i64::from(held.nominal_memory_gib()) * 1024;
    let mut smaller: Vec<_> = model
        .profiles
        .iter()
        .filter(|p| p.is_standard())
        .map(|p| (i64::from(p.nominal_memory_gib()) * 1024, p))
        .filter(|(m, p)| *m < held_memory && p.compute_slices <= held.compute_slices)
        .collect();
    smaller.sort_by_key(|(m, p)| (*m, p.compute_slices));
    let needed = (SERVED_SHARE * g.len() as f64).ceil() as usize;
    smaller.into_iter().find_map(|(memory, p)| {
        let ok: Vec<&LeaseFacts> = g.iter().filter(|l| served(l, memory)).collect();
        (ok.len() >= needed).then(|| {
            let hours: f64 = ok.iter().map(|l| l.usage.held_seconds).sum::<f64>() / 3600.0;
            let freed = hours * f64::from(held.compute_slices - p.compute_slices);
            let under_gib = memory as f64 / (1.0 + HEADROOM) / 1024.0;
            Recommendation {
                profile: p.name.to_owned(),
                profile_memory_mib: memory,
                served: ok.len() as i64,
                leases: g.len() as i64,
                freed_compute_slice_hours: freed,
                text: format!(
                    "{} of {} `{}` leases peaked under {:.1} GiB and were busy under {:.0} % of \
                     the time: `{}` would have served them, freeing {:.1} compute-slice-hours",
                    ok.len(),
                    g.len(),
                    first.profile,
                    under_gib,
                    BUSY_UNDER * 100.0,
                    p.name,
                    freed
                ),
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lease(peak: Option<i64>, busy: f64, hours: f64) -> LeaseFacts {
        let held = hours * 3600.0;
        LeaseFacts {
            tenant_id: TenantId::new(),
            tenant: "a".into(),
            class: None,
            model: "h100-80gb".into(),
            profile: "3g.40gb".into(),
            compute_slices: 3,
            usage: LeaseUsage {
                peak_memory_mib: peak,
                profile_memory_mib: Some(40960),
                held_seconds: held,
                idle_held_seconds: held * (1.0 - busy),
                idle_held_hours: hours * (1.0 - busy),
                busy_share: Some(busy),
                idle_share: Some(1.0 - busy),
            },
        }
    }

    fn one_tenant(mut ls: Vec<LeaseFacts>) -> Vec<LeaseFacts> {
        let t = ls[0].tenant_id;
        for l in &mut ls {
            l.tenant_id = t;
        }
        ls
    }

    #[test]
    fn nine_of_ten_small_and_idle_leases_get_the_smallest_profile_that_fits() {
        // 9 leases peaked at 8 GiB (8 × 1.1 = 8.8 ≤ 10 GiB), 10 % busy, 2 h each; one at 30 GiB.
        let mut ls: Vec<_> = (0..9).map(|_| lease(Some(8192), 0.1, 2.0)).collect();
        ls.push(lease(Some(30720), 0.9, 2.0));
        let rows = report(one_tenant(ls));
        assert_eq!(rows.len(), 1);
        let r = rows[0].recommendation.as_ref().expect("recommended");
        assert_eq!(r.profile, "1g.10gb");
        assert_eq!((r.served, r.leases), (9, 10));
        // 9 leases × 2 h × (3 − 1) compute slices.
        assert!((r.freed_compute_slice_hours - 36.0).abs() < 1e-9);
        assert_eq!(rows[0].median_peak_memory_mib, Some(8192.0));
        assert_eq!(rows[0].peak_memory_mib, Some(30720));
    }

    #[test]
    fn no_recommendation_from_too_few_leases_and_the_note_says_how_many() {
        let rows = report(one_tenant(
            (0..9).map(|_| lease(Some(1024), 0.0, 1.0)).collect(),
        ));
        assert!(rows[0].recommendation.is_none());
        assert!(
            rows[0]
                .recommendation_note
                .as_deref()
                .unwrap()
                .contains("9 of the 10")
        );
    }

    #[test]
    fn busy_leases_are_not_served_by_a_smaller_profile() {
        let rows = report(one_tenant(
            (0..10).map(|_| lease(Some(1024), 0.5, 1.0)).collect(),
        ));
        assert!(rows[0].recommendation.is_none());
    }

    #[test]
    fn headroom_moves_the_choice_to_the_next_profile() {
        // 9.5 GiB × 1.1 > 10 GiB: 1g.20gb (1 compute slice) serves them.
        let rows = report(one_tenant(
            (0..10).map(|_| lease(Some(9728), 0.0, 1.0)).collect(),
        ));
        let r = rows[0].recommendation.as_ref().unwrap();
        assert_eq!(r.profile, "1g.20gb");
        assert!((r.freed_compute_slice_hours - 20.0).abs() < 1e-9);
    }
}
