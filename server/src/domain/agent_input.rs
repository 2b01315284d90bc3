//! Bounds on what an agent sends (registration and observed reports), checked before anything
//! is stored or summed: every number fits the column it goes to, every sum stays in range, and
//! a bad value is a 400 naming it by JSON pointer (`/gpus/0/instances/1/instance/id`).

use super::validate::Invalid;
use slicebroker_types::agent::{AgentRegister, GpuHealth, ObservedReport};
use slicebroker_types::limits::{
    MAX_ECC_COUNT, MAX_POWER_MW, MAX_TEMPERATURE_C, MAX_XID, MAX_XID_SEQ, MAX_XIDS_PER_REPORT,
    pointer,
};

/// Most GPUs one host may register.
pub const MAX_GPUS_PER_HOST: usize = 64;
/// Most profiles one GPU may report, and most placements per profile.
pub const MAX_PROFILES: usize = 64;
/// Most instances one GPU may report (MIG makes at most 7; unmanaged ones included).
pub const MAX_INSTANCES_PER_GPU: usize = 64;
/// Most processes reported per instance.
pub const MAX_PROCESSES: usize = 4096;
/// Most errors per report.
pub const MAX_ERRORS: usize = 1000;
/// Largest memory figure an agent may report, in MiB (1 PiB: no GPU comes close).
pub const MAX_MEMORY_MIB: u64 = 1 << 30;
/// Largest NVML id (GPU instance, compute instance, profile) an agent may report.
pub const MAX_ID: u32 = i32::MAX as u32;

fn at(segments: &[&dyn ToString]) -> String {
    let s: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
    pointer(&s)
}

fn check(ok: bool, field: impl FnOnce() -> String, reason: &str) -> Result<(), Invalid> {
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(field(), reason))
    }
}

pub fn register(req: &AgentRegister) -> Result<(), Invalid> {
    let name_ok = !req.hostname.is_empty()
        && req.hostname.len() <= 253
        && req
            .hostname
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
    check(
        name_ok,
        || "hostname".into(),
        "1-253 characters of letters, digits, `-`, `_` or `.`",
    )?;
    check(
        !req.agent_version.is_empty() && req.agent_version.len() <= 100,
        || "agent_version".into(),
        "1-100 characters",
    )?;
    if let Some(d) = &req.driver_version {
        check(
            d.len() <= 100,
            || "driver_version".into(),
            "at most 100 characters",
        )?;
    }
    check(
        req.gpus.len() <= MAX_GPUS_PER_HOST,
        || "gpus".into(),
        "at most 64 GPUs per host",
    )?;
    for (i, g) in req.gpus.iter().enumerate() {
        let f = |name: &str| at(&[&"gpus", &i, &name]);
        check(
            !g.uuid.is_empty() && g.uuid.len() <= 100,
            || f("uuid"),
            "1-100 characters",
        )?;
        check(
            !req.gpus[..i].iter().any(|o| o.uuid == g.uuid),
            || f("uuid"),
            "listed twice",
        )?;
        check(g.index <= MAX_ID, || f("index"), "out of range")?;
        check(g.name.len() <= 200, || f("name"), "at most 200 characters")?;
        check(
            g.memory_total_mib <= MAX_MEMORY_MIB,
            || f("memory_total_mib"),
            "out of range",
        )?;
        check(
            g.profiles.len() <= MAX_PROFILES,
            || f("profiles"),
            "at most 64 profiles",
        )?;
        for (j, p) in g.profiles.iter().enumerate() {
            let pf = |name: &str| at(&[&"gpus", &i, &"profiles", &j, &name]);
            check(p.id <= MAX_ID, || pf("id"), "out of range")?;
            check(p.name.len() <= 100, || pf("name"), "at most 100 characters")?;
            check(
                p.memory_mib <= MAX_MEMORY_MIB,
                || pf("memory_mib"),
                "out of range",
            )?;
            check(
                p.placements.len() <= MAX_PROFILES,
                || pf("placements"),
                "at most 64 placements",
            )?;
        }
    }
    Ok(())
}

pub fn report(report: &ObservedReport) -> Result<(), Invalid> {
    check(
        i64::try_from(report.applied_generation).is_ok(),
        || "applied_generation".into(),
        "out of range",
    )?;
    check(
        report.errors.len() <= MAX_ERRORS,
        || "errors".into(),
        "at most 1000 errors per report",
    )?;
    check(
        report.gpus.len() <= MAX_GPUS_PER_HOST,
        || "gpus".into(),
        "at most 64 GPUs per host",
    )?;
    for (i, g) in report.gpus.iter().enumerate() {
        if let Some(h) = &g.health {
            health(h, i)?;
        }
        check(
            g.instances.len() <= MAX_INSTANCES_PER_GPU,
            || at(&[&"gpus", &i, &"instances"]),
            "at most 64 instances per GPU",
        )?;
        for (j, s) in g.instances.iter().enumerate() {
            let f = |name: &str| at(&[&"gpus", &i, &"instances", &j, &"instance", &name]);
            let inst = &s.instance;
            check(inst.id <= MAX_ID, || f("id"), "out of range")?;
            check(
                inst.profile_id <= MAX_ID,
                || f("profile_id"),
                "out of range",
            )?;
            check(
                u32::from(inst.placement.start) + u32::from(inst.placement.size) <= 16
                    && inst.placement.size > 0,
                || f("placement"),
                "outside the GPU's memory slices",
            )?;
            for (name, v) in [
                ("memory_used_mib", inst.memory_used_mib),
                ("memory_total_mib", inst.memory_total_mib),
            ] {
                check(
                    v.is_none_or(|m| m <= MAX_MEMORY_MIB),
                    || f(name),
                    "out of range",
                )?;
            }
            check(
                inst.activity.is_none_or(|a| (0.0..=1.0).contains(&a)),
                || f("activity"),
                "a fraction between 0 and 1",
            )?;
            check(
                inst.compute_instances.len() <= MAX_INSTANCES_PER_GPU,
                || f("compute_instances"),
                "at most 64 compute instances",
            )?;
            for (k, c) in inst.compute_instances.iter().enumerate() {
                let cf = |name: &str| {
                    at(&[
                        &"gpus",
                        &i,
                        &"instances",
                        &j,
                        &"instance",
                        &"compute_instances",
                        &k,
                        &name,
                    ])
                };
                check(c.id <= MAX_ID, || cf("id"), "out of range")?;
                check(
                    c.mig_uuid.len() <= 100,
                    || cf("mig_uuid"),
                    "at most 100 characters",
                )?;
            }
            check(
                inst.processes.len() <= MAX_PROCESSES,
                || f("processes"),
                "at most 4096 processes",
            )?;
            for (k, p) in inst.processes.iter().enumerate() {
                check(
                    p.memory_mib.is_none_or(|m| m <= MAX_MEMORY_MIB),
                    || {
                        at(&[
                            &"gpus",
                            &i,
                            &"instances",
                            &j,
                            &"instance",
                            &"processes",
                            &k,
                            &"memory_mib",
                        ])
                    },
                    "out of range",
                )?;
            }
        }
    }
    Ok(())
}

/// A GPU's health readings (`/gpus/<i>/health/...`), bounded by `limits`.
fn health(h: &GpuHealth, i: usize) -> Result<(), Invalid> {
    let f = |name: &str| at(&[&"gpus", &i, &"health", &name]);
    check(
        h.temperature_c.is_none_or(|t| t <= MAX_TEMPERATURE_C),
        || f("temperature_c"),
        "at most 200",
    )?;
    check(
        h.power_mw.is_none_or(|p| p <= MAX_POWER_MW),
        || f("power_mw"),
        "at most 10000000",
    )?;
    if let Some(e) = &h.ecc {
        for (name, v) in [
            ("volatile_corrected", e.volatile_corrected),
            ("volatile_uncorrected", e.volatile_uncorrected),
            ("aggregate_corrected", e.aggregate_corrected),
            ("aggregate_uncorrected", e.aggregate_uncorrected),
        ] {
            check(
                v <= MAX_ECC_COUNT,
                || at(&[&"gpus", &i, &"health", &"ecc", &name]),
                "out of range",
            )?;
        }
    }
    check(
        h.xids.len() <= MAX_XIDS_PER_REPORT,
        || f("xids"),
        "at most 64 XIDs per report",
    )?;
    for (k, x) in h.xids.iter().enumerate() {
        let xf = |name: &str| at(&[&"gpus", &i, &"health", &"xids", &k, &name]);
        check(x.xid <= MAX_XID, || xf("xid"), "out of range")?;
        check(
            x.seq.is_none_or(|s| s <= MAX_XID_SEQ),
            || xf("seq"),
            "out of range",
        )?;
        for (name, v) in [
            ("gpu_instance_id", x.gpu_instance_id),
            ("compute_instance_id", x.compute_instance_id),
        ] {
            check(v.is_none_or(|id| id <= MAX_ID), || xf(name), "out of range")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report_with(instance: serde_json::Value) -> ObservedReport {
        serde_json::from_value(serde_json::json!({
            "applied_generation": 1,
            "gpus": [{ "gpu_uuid": "GPU-1", "mig_enabled": true, "instances": [
                { "lease_id": null, "instance": instance }
            ]}],
            "errors": [],
        }))
        .unwrap()
    }

    fn instance() -> serde_json::Value {
        serde_json::json!({
            "id": 1, "profile_id": 14, "profile_index": null,
            "placement": { "start": 0, "size": 2 }, "compute_instances": [],
            "memory_used_mib": 10, "memory_total_mib": 19968, "processes": [], "activity": 0.5,
        })
    }

    #[test]
    fn extreme_numbers_in_a_report_are_refused_by_pointer() {
        assert!(report(&report_with(instance())).is_ok());
        let cases = [
            ("id", serde_json::json!(u32::MAX)),
            ("memory_used_mib", serde_json::json!(u64::MAX)),
            ("activity", serde_json::json!(7.5)),
            (
                "placement",
                serde_json::json!({ "start": 255, "size": 255 }),
            ),
        ];
        for (field, value) in cases {
            let mut i = instance();
            i[field] = value;
            assert_eq!(
                report(&report_with(i)).unwrap_err().field,
                format!("/gpus/0/instances/0/instance/{field}")
            );
        }
    }

    #[test]
    fn health_readings_out_of_range_are_refused_by_pointer_and_old_reports_still_parse() {
        let mut r = report_with(instance());
        assert!(r.gpus[0].health.is_none(), "a report without health parses");
        let mut h = GpuHealth {
            temperature_c: Some(70),
            power_mw: Some(300_000),
            ..GpuHealth::default()
        };
        r.gpus[0].health = Some(h.clone());
        assert!(report(&r).is_ok());
        h.temperature_c = Some(MAX_TEMPERATURE_C + 1);
        r.gpus[0].health = Some(h.clone());
        assert_eq!(
            report(&r).unwrap_err().field,
            "/gpus/0/health/temperature_c"
        );
        h.temperature_c = None;
        h.xids = vec![
            slicebroker_types::agent::XidEvent {
                xid: 94,
                gpu_instance_id: Some(u32::MAX),
                compute_instance_id: None,
                seq: None,
            };
            1
        ];
        r.gpus[0].health = Some(h.clone());
        assert_eq!(
            report(&r).unwrap_err().field,
            "/gpus/0/health/xids/0/gpu_instance_id"
        );
        h.xids[0].gpu_instance_id = Some(1);
        h.xids[0].seq = Some(MAX_XID_SEQ + 1);
        r.gpus[0].health = Some(h.clone());
        assert_eq!(report(&r).unwrap_err().field, "/gpus/0/health/xids/0/seq");
        h.xids[0].seq = Some(MAX_XID_SEQ);
        r.gpus[0].health = Some(h.clone());
        assert!(report(&r).is_ok());
        h.xids = vec![h.xids[0]; MAX_XIDS_PER_REPORT + 1];
        r.gpus[0].health = Some(h);
        assert_eq!(report(&r).unwrap_err().field, "/gpus/0/health/xids");
    }
}
