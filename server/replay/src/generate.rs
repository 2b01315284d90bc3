//! A synthetic trace modelled on the workload classes MIG fleets serve:
//! - real-time inference on 1g/2g slices: many requests, hours long, log-normal durations;
//! - batch inference and medium training on 3g/4g: fewer, longer, heavier-tailed;
//! - large jobs on whole GPUs (7g): rare, Pareto-distributed durations capped at a week.
//!
//! The arrival rate is set so the offered load (compute slices × time demanded) is the given
//! share of the fleet's compute capacity.

use crate::fleet_spec::FleetSpec;
use crate::rng::Rng;
use slicebroker_types::GpuModel;
use std::fmt::Write;

const HOUR: f64 = 3600.0;

struct Class {
    share: f64,
    /// (size in compute slices, weight) within the class.
    sizes: &'static [(u8, f64)],
    duration: fn(&mut Rng) -> f64,
}

const CLASSES: [Class; 3] = [
    Class {
        share: 0.60,
        sizes: &[(1, 0.7), (2, 0.3)],
        duration: |r| r.lognormal(2.0 * HOUR, 1.0),
    },
    Class {
        share: 0.32,
        sizes: &[(3, 0.5), (4, 0.5)],
        duration: |r| r.lognormal(6.0 * HOUR, 1.2),
    },
    Class {
        share: 0.08,
        sizes: &[(7, 1.0)],
        duration: |r| r.pareto(4.0 * HOUR, 1.5),
    },
];

/// Shortest and longest duration a generated request asks for.
const DURATION_BOUNDS: (f64, f64) = (60.0, 7.0 * 24.0 * HOUR);
/// Share of requests that pin a GPU model (chosen in proportion to the fleet).
const PINNED_SHARE: f64 = 0.1;

#[derive(Clone, Debug)]
pub struct GenOptions {
    pub load: f64,
    pub hours: f64,
    pub seed: u64,
}

fn sample(rng: &mut Rng) -> (u8, f64) {
    let class = &CLASSES[rng.weighted(&CLASSES.map(|c| c.share))];
    let weights: Vec<f64> = class.sizes.iter().map(|s| s.1).collect();
    let size = class.sizes[rng.weighted(&weights)].0;
    let duration = (class.duration)(rng).clamp(DURATION_BOUNDS.0, DURATION_BOUNDS.1);
    (size, duration.round())
}

/// Mean compute-slice-seconds one request asks for, estimated from the same generator.
fn mean_demand(seed: u64) -> f64 {
    let mut rng = Rng::new(seed ^ 0x5EED);
    let n = 200_000;
    (0..n)
        .map(|_| {
            let (size, duration) = sample(&mut rng);
            f64::from(size) * duration
        })
        .sum::<f64>()
        / f64::from(n)
}

/// The trace as CSV text, header included.
pub fn generate(spec: &FleetSpec, opts: &GenOptions) -> String {
    let capacity = spec.compute_slices() as f64;
    let rate = opts.load * capacity / mean_demand(opts.seed); // requests per second
    let mut rng = Rng::new(opts.seed);
    let model_weights: Vec<f64> = spec.0.iter().map(|(_, n)| f64::from(*n)).collect();
    let mut out = String::from("request_id,arrival_s,duration_s,profile,gpu_model\n");
    let (mut t, end, mut n) = (0.0, opts.hours * HOUR, 0u64);
    loop {
        t += rng.exponential(1.0 / rate);
        if t >= end {
            break;
        }
        let (size, duration) = sample(&mut rng);
        let mut model = "";
        if rng.uniform() < PINNED_SHARE {
            let m = GpuModel::get(spec.0[rng.weighted(&model_weights)].0);
            // Pin only where the size exists, so pinned requests stay servable.
            if m.standard_profile_of_size(size).is_some() {
                model = m.key;
            }
        }
        n += 1;
        let _ = writeln!(out, "r{n:06},{},{duration},{size}g,{model}", t.round());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Trace;

    #[test]
    fn offered_load_matches_the_target_and_every_row_parses() {
        let spec = FleetSpec::parse("h100-80gb:100,a100-40gb:20").unwrap();
        let opts = GenOptions {
            load: 1.0,
            hours: 24.0 * 14.0,
            seed: 3,
        };
        let text = generate(&spec, &opts);
        assert_eq!(text, generate(&spec, &opts), "deterministic per seed");
        let trace = Trace::parse(&text).unwrap();
        assert!(trace.errors.is_empty(), "{:?}", trace.errors.first());
        let demand: f64 = trace
            .requests
            .iter()
            .map(|r| match r.profile {
                slicebroker_types::ProfileRequest::Size(s) => f64::from(s) * r.duration_s,
                _ => unreachable!("the generator writes sizes"),
            })
            .sum();
        let offered = demand / (opts.hours * HOUR) / spec.compute_slices() as f64;
        assert!((offered - 1.0).abs() < 0.15, "offered load {offered}");
        let large = trace
            .requests
            .iter()
            .filter(|r| r.profile == slicebroker_types::ProfileRequest::Size(7))
            .count();
        let share = large as f64 / trace.requests.len() as f64;
        assert!((share - 0.08).abs() < 0.02, "7g share {share}");
    }
}
