//! How long one placement decision takes on a 10,000-GPU mixed fleet at realistic occupancy
//! (about 75 % of compute slices allocated by earlier decisions, with mixed end times), and the
//! same fleet with a week of bookings in the index: an on-demand decision beside them, a booking
//! decision among them, and the on-demand decision without bookings as the baseline.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use slicebroker_placement::{Fleet, PlacementRequest, Policy, SliceKey};
use slicebroker_replay::fleet_spec::FleetSpec;
use slicebroker_replay::rng::Rng;
use slicebroker_types::{GpuModel, ProfileRequest, SliceShape};
use std::hint::black_box;

const FLEET: &str = "h100-80gb:6000,a100-40gb:2000,h200-141gb:1000,a30-24gb:1000";
const TARGET_ALLOCATED: f64 = 0.75;
const SIZES: [u8; 5] = [1, 1, 2, 3, 4];

fn shapes(size: u8) -> Vec<SliceShape> {
    ProfileRequest::Size(size).resolve(&[]).unwrap()
}

/// A fleet filled by the default policy with a 1g/2g-heavy mix until the target share of
/// compute slices is allocated.
fn busy_fleet(spec: &FleetSpec) -> Fleet {
    let mut fleet = spec.build();
    let mut rng = Rng::new(11);
    let capacity = spec.compute_slices() as f64;
    let (mut allocated, mut key) = (0u64, 0u64);
    while (allocated as f64) < TARGET_ALLOCATED * capacity {
        let size = [1, 1, 1, 2, 2, 3, 4, 7][rng.below(8) as usize];
        let ends_at = 60 + rng.lognormal(7_200.0, 1.0) as i64;
        let req = PlacementRequest {
            shapes: shapes(size),
            now: 0,
            ends_at,
            hosts: None,
        };
        if let Ok(d) = fleet.plan(&req, Policy::Default) {
            key += 1;
            fleet
                .add_slice(
                    d.gpu,
                    SliceKey(key),
                    d.shape.profile,
                    d.placement.start,
                    ends_at,
                )
                .unwrap();
            allocated += u64::from(d.shape.profile().compute_slices);
        }
    }
    fleet
}

/// 64 on-demand requests of the mix's sizes, ending from 10 minutes to 2 hours from now.
fn on_demand_requests() -> Vec<PlacementRequest> {
    (0..64)
        .map(|i| PlacementRequest {
            shapes: shapes(SIZES[i % SIZES.len()]),
            now: 0,
            ends_at: 600 + 97 * i as i64,
            hosts: None,
        })
        .collect()
}

fn bench_plan(c: &mut Criterion) {
    let spec = FleetSpec::parse(FLEET).unwrap();
    let fleet = busy_fleet(&spec);
    let requests = on_demand_requests();
    let mut group = c.benchmark_group("plan_10k_gpus");
    for policy in Policy::ALL {
        group.bench_with_input(
            BenchmarkId::from_parameter(policy),
            &policy,
            |b, &policy| {
                let mut i = 0;
                b.iter(|| {
                    i = (i + 1) % requests.len();
                    black_box(fleet.plan(black_box(&requests[i]), policy)).ok()
                })
            },
        );
    }
    group.finish();
}

const HOUR: i64 = 3600;
const WEEK: i64 = 7 * 24 * HOUR;
/// Share of the fleet's compute-slice time over the coming week that is booked ahead.
const BOOKED_SHARE: f64 = 0.10;

/// Bookings spread evenly over the coming week (starts from 10 minutes to 7 days ahead, lengths
/// log-normal around 4 hours, between 30 minutes and a day, the same size mix as on-demand)
/// until `BOOKED_SHARE` of the week's compute-slice time is booked. Each goes to a random GPU
/// and placement free for its window (bookings are placed directly: building the index is not
/// what is measured). Returns how many were booked.
fn book_week(spec: &FleetSpec, fleet: &mut Fleet) -> usize {
    let mut rng = Rng::new(29);
    let target = BOOKED_SHARE * spec.compute_slices() as f64 * WEEK as f64;
    let (mut booked, mut key, mut n) = (0f64, 1u64 << 40, 0);
    let gpus = fleet.len() as u64;
    while booked < target {
        let size = [1, 1, 1, 2, 2, 3, 4, 7][rng.below(8) as usize];
        let starts_at = 600 + rng.below((WEEK - 600) as u64) as i64;
        let len = (rng.lognormal(4.0 * HOUR as f64, 0.8) as i64).clamp(HOUR / 2, 24 * HOUR);
        for _ in 0..8 {
            let gpu = slicebroker_placement::GpuKey(rng.below(gpus) as u32);
            let model = fleet.gpu(gpu).unwrap().occupancy.model_id();
            let Some(profile) = GpuModel::get(model).standard_profile_of_size(size) else {
                continue;
            };
            let placements = GpuModel::get(model).profile(profile).placements;
            let start = placements[rng.below(placements.len() as u64) as usize].start;
            key += 1;
            if fleet
                .add_booking(
                    gpu,
                    SliceKey(key),
                    profile,
                    start,
                    (starts_at, starts_at + len),
                )
                .is_ok()
            {
                booked += f64::from(size) * len as f64;
                n += 1;
                break;
            }
        }
    }
    n
}

fn bench_plan_booked(c: &mut Criterion) {
    let spec = FleetSpec::parse(FLEET).unwrap();
    let plain = busy_fleet(&spec);
    let mut booked = plain.clone();
    let n = book_week(&spec, &mut booked);
    eprintln!("{n} bookings over the week in the index");
    let on_demand = on_demand_requests();
    // Bookings asked for from an hour to six days ahead, 1 to 8 hours long.
    let bookings: Vec<(PlacementRequest, i64)> = (0..64)
        .map(|i| {
            let starts_at = HOUR + (i as i64 * 7_919 * 60) % (6 * 24 * HOUR);
            let len = HOUR * (1 + i as i64 % 8);
            let req = PlacementRequest {
                shapes: shapes(SIZES[i % SIZES.len()]),
                now: 0,
                ends_at: starts_at + len,
                hosts: None,
            };
            (req, starts_at)
        })
        .collect();
    let mut group = c.benchmark_group("plan_10k_gpus_week_booked");
    let mut i = 0;
    group.bench_function("on_demand_baseline_no_bookings", |b| {
        b.iter(|| {
            i = (i + 1) % on_demand.len();
            black_box(plain.plan(black_box(&on_demand[i]), Policy::Default)).ok()
        })
    });
    group.bench_function("on_demand", |b| {
        b.iter(|| {
            i = (i + 1) % on_demand.len();
            black_box(booked.plan(black_box(&on_demand[i]), Policy::Default)).ok()
        })
    });
    group.bench_function("booking", |b| {
        b.iter(|| {
            i = (i + 1) % bookings.len();
            let (req, starts_at) = &bookings[i];
            black_box(booked.plan_during(black_box(req), *starts_at, Policy::Default)).ok()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_plan, bench_plan_booked);
criterion_main!(benches);
