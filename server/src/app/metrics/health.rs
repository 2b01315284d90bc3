//! GPU health on `/metrics` (issue 18): per GPU its temperature, power draw, ECC counts, the
//! clock throttle reasons that hold, and its XIDs by number. Read from the database at scrape
//! time like the other gauges (the same on every replica: aggregate with `max`). Cardinality is
//! bounded per GPU: two gauges, four ECC series, a throttle series only per reason that holds
//! (nine at most, a closed set), an XID series per fatal XID it had plus `other` (eleven at
//! most), and one dropped-XIDs counter.

use super::text::{Text, labels_block};
use crate::store::metrics::GpuHealthGauge;
use slicebroker_types::agent::ThrottleReason;

pub(super) fn render(
    t: &mut Text,
    gpus: &[GpuHealthGauge],
    xids: &[(String, String, String, String, i64)],
) {
    let blocks: Vec<String> = gpus
        .iter()
        .map(|g| labels_block(&gpu_labels(&g.host, &g.gpu, &g.model)))
        .collect();
    type Get = fn(&GpuHealthGauge) -> Option<f64>;
    let gauges: [(&str, &str, Get); 2] = [
        (
            "slicebroker_gpu_temperature_celsius",
            "GPU temperature as its agent last reported it (absent where not measured).",
            |g| g.temperature_c.map(f64::from),
        ),
        (
            "slicebroker_gpu_power_watts",
            "GPU power draw as its agent last reported it (absent where not measured).",
            |g| g.power_mw.map(|p| f64::from(p) / 1000.0),
        ),
    ];
    for (name, help, get) in gauges {
        t.family(name, "gauge", help);
        for (g, block) in gpus.iter().zip(&blocks) {
            if let Some(v) = get(g) {
                t.sample_with(name, block, v);
            }
        }
    }

    let name = "slicebroker_gpu_ecc_errors_total";
    t.family(
        name,
        "counter",
        "ECC errors by scope (volatile: since the driver loaded, so it resets with it; \
         aggregate: over the GPU's life) and type (corrected, uncorrected), as its agent last \
         reported them (absent where ECC is off or unsupported).",
    );
    for g in gpus {
        let counts = [
            ("volatile", "corrected", g.ecc_volatile_corrected),
            ("volatile", "uncorrected", g.ecc_volatile_uncorrected),
            ("aggregate", "corrected", g.ecc_aggregate_corrected),
            ("aggregate", "uncorrected", g.ecc_aggregate_uncorrected),
        ];
        for (scope, kind, n) in counts {
            if let Some(n) = n {
                let mut labels = gpu_labels(&g.host, &g.gpu, &g.model);
                labels.extend([("scope", scope), ("type", kind)]);
                t.sample(name, &labels, n as f64);
            }
        }
    }

    let name = "slicebroker_gpu_throttle_reason";
    t.family(
        name,
        "gauge",
        "1 for each clock throttle reason that held at the GPU's last report (reason: one of \
         NVML's clock event reasons); no series for a reason that does not hold.",
    );
    for g in gpus {
        let held = g.throttle_reasons.as_deref().unwrap_or_default();
        for reason in ThrottleReason::BITS.iter().map(|(r, _)| r.as_str()) {
            if held.iter().any(|r| r == reason) {
                let mut labels = gpu_labels(&g.host, &g.gpu, &g.model);
                labels.push(("reason", reason));
                t.sample(name, &labels, 1.0);
            }
        }
    }

    let name = "slicebroker_gpu_xid_errors_total";
    t.family(
        name,
        "counter",
        "XID errors its agent reported, by xid (a fatal XID's number, or `other`) and fatal \
         (true for 48, 63, 64, 74, 79, 92, 94, 95, 119, 120: the instance hit may not compute \
         correctly).",
    );
    for (host, gpu, model, xid, n) in xids {
        let mut labels = gpu_labels(host, gpu, model);
        let fatal = if xid == "other" { "false" } else { "true" };
        labels.extend([("xid", xid.as_str()), ("fatal", fatal)]);
        t.sample(name, &labels, *n as f64);
    }

    let name = "slicebroker_gpu_xids_dropped_total";
    t.family(
        name,
        "counter",
        "XIDs its agent saw but left out of its reports (more than 64 between two reports).",
    );
    for (g, block) in gpus.iter().zip(&blocks) {
        t.sample_with(name, block, g.xids_dropped as f64);
    }
}

fn gpu_labels<'a>(host: &'a str, gpu: &'a str, model: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![("host", host), ("gpu", gpu), ("model", model)]
}
