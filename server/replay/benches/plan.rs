//! How long one placement decision takes on a 10,000-GPU mixed fleet at realistic occupancy
//! (about 75 % of compute slices allocated by earlier decisions, with mixed end times).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use slicebroker_placement::{Fleet, PlacementRequest, Policy, SliceKey};
use slicebroker_replay::fleet_spec::FleetSpec;
use slicebroker_replay::rng::Rng;
use slicebroker_types::{ProfileRequest, SliceShape};
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

fn bench_plan(c: &mut Criterion) {
    let spec = FleetSpec::parse(FLEET).unwrap();
    let fleet = busy_fleet(&spec);
    let requests: Vec<PlacementRequest> = (0..64)
        .map(|i| PlacementRequest {
            shapes: shapes(SIZES[i % SIZES.len()]),
            now: 0,
            ends_at: 600 + 97 * i as i64,
            hosts: None,
        })
        .collect();
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

criterion_group!(benches, bench_plan);
criterion_main!(benches);
