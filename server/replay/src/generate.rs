//! A synthetic trace modelled on the workload classes MIG fleets serve:
//! - real-time inference on 1g/2g slices: many requests, hours long, log-normal durations;
//! - batch inference and medium training on 3g/4g: fewer, longer, heavier-tailed;
//! - large jobs on whole GPUs (7g): rare, Pareto-distributed durations capped at a week.
//!
//! The arrival rate is set so the offered load (compute slices × time demanded) is the given
//! share of the fleet's compute capacity.
//!
//! With a [`BookingMix`], a share of the requests become bookings made some time ahead of
//! their start; the choice uses its own random stream, so the requests themselves (arrivals,
//! sizes, durations) are the same as without bookings for the same seed.

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
    pub bookings: Option<BookingMix>,
}

/// Which requests are booked ahead, and how far.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BookingMix {
    /// Share of requests that are bookings, in 0..=1.
    pub share: f64,
    /// How long before its start a booking is made, in seconds: log-uniform in this range
    /// (as many booked an hour to a day ahead as a day to a month), cut at the trace's start.
    pub ahead_s: (f64, f64),
}

/// A duration such as `90s`, `30m`, `1h`, `3d` (a bare number is seconds).
pub fn parse_duration(s: &str) -> Result<f64, String> {
    let s = s.trim();
    let (number, unit) = match s.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&s[..i], c),
        _ => (s, 's'),
    };
    let scale = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => HOUR,
        'd' => 24.0 * HOUR,
        _ => return Err(format!("`{s}`: unit must be s, m, h or d")),
    };
    match number.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v * scale),
        _ => Err(format!(
            "`{s}` is not a non-negative duration such as 90s, 30m, 1h, 3d"
        )),
    }
}

/// A range of durations `MIN..MAX`, e.g. `1h..3d`, with 0 < MIN <= MAX.
pub fn parse_duration_range(s: &str) -> Result<(f64, f64), String> {
    let (lo, hi) = s
        .split_once("..")
        .ok_or_else(|| format!("`{s}` is not a range MIN..MAX such as 1h..3d"))?;
    let (lo, hi) = (parse_duration(lo)?, parse_duration(hi)?);
    if lo <= 0.0 || lo > hi {
        return Err(format!("`{s}`: need 0 < MIN <= MAX"));
    }
    Ok((lo, hi))
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
    let mut out = String::from("request_id,arrival_s,duration_s,profile,gpu_model");
    out.push_str(if opts.bookings.is_some() {
        ",booked_s\n"
    } else {
        "\n"
    });
    let mut book_rng = Rng::new(opts.seed ^ 0xB00C);
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
        let arrival = t.round();
        let _ = write!(out, "r{n:06},{arrival},{duration},{size}g,{model}");
        if let Some(mix) = opts.bookings {
            // Both draws every row, so the choice for one row does not shift the next.
            let (booked, u) = (book_rng.uniform() < mix.share, book_rng.uniform());
            out.push(',');
            if booked {
                let (lo, hi) = mix.ahead_s;
                let ahead = lo * (hi / lo).powf(u);
                let _ = write!(out, "{}", (arrival - ahead).max(0.0).round());
            }
        }
        out.push('\n');
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
            bookings: None,
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

    #[test]
    fn a_booking_mix_books_a_share_ahead_and_keeps_the_requests() {
        let spec = FleetSpec::parse("h100-80gb:20").unwrap();
        let plain = GenOptions {
            load: 1.0,
            hours: 24.0 * 7.0,
            seed: 5,
            bookings: None,
        };
        let mix = BookingMix {
            share: 0.2,
            ahead_s: (HOUR, 3.0 * 24.0 * HOUR),
        };
        let mixed = GenOptions {
            bookings: Some(mix),
            ..plain.clone()
        };
        let text = generate(&spec, &mixed);
        assert_eq!(text, generate(&spec, &mixed), "deterministic per seed");
        let (with, without) = (
            Trace::parse(&text).unwrap(),
            Trace::parse(&generate(&spec, &plain)).unwrap(),
        );
        assert!(with.errors.is_empty(), "{:?}", with.errors.first());
        let strip = |t: &Trace| -> Vec<(String, f64, f64)> {
            t.requests
                .iter()
                .map(|r| (r.id.clone(), r.arrival_s, r.duration_s))
                .collect()
        };
        assert_eq!(strip(&with), strip(&without), "the same requests");
        let share = with.bookings() as f64 / with.requests.len() as f64;
        assert!((share - 0.2).abs() < 0.03, "booked share {share}");
        for r in with.requests.iter().filter(|r| r.booked_s.is_some()) {
            let ahead = r.arrival_s - r.decided_s();
            assert!(
                r.decided_s() == 0.0 || (HOUR - 1.0..=3.0 * 24.0 * HOUR + 1.0).contains(&ahead),
                "{} booked {ahead} s ahead",
                r.id
            );
        }
    }

    #[test]
    fn durations_and_ranges_parse_with_units() {
        assert_eq!(parse_duration("90"), Ok(90.0));
        assert_eq!(parse_duration("30m"), Ok(1800.0));
        assert_eq!(parse_duration_range("1h..3d"), Ok((HOUR, 72.0 * HOUR)));
        assert!(parse_duration("3w").unwrap_err().contains("unit must be"));
        assert!(parse_duration_range("1h").unwrap_err().contains("MIN..MAX"));
        assert!(
            parse_duration_range("3d..1h")
                .unwrap_err()
                .contains("0 < MIN <= MAX")
        );
        assert!(parse_duration_range("0s..1h").is_err());
    }
}
