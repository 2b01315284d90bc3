//! Planner behaviour: each policy's choice, the reasons for no fit, and completeness.

use super::*;
use slicebroker_types::{GpuModel, ModelId, ProfileRequest, SliceShape};

const HOUR: i64 = 3600;

fn model(key: &str) -> ModelId {
    GpuModel::find(key).unwrap()
}

fn shapes(profile: &str, models: &[&str]) -> Vec<SliceShape> {
    let ids: Vec<ModelId> = models.iter().map(|m| model(m)).collect();
    ProfileRequest::parse(profile)
        .unwrap()
        .resolve(&ids)
        .unwrap()
}

fn request(profile: &str, models: &[&str], hours: i64) -> PlacementRequest {
    PlacementRequest {
        shapes: shapes(profile, models),
        now: 0,
        ends_at: hours * HOUR,
        hosts: None,
    }
}

fn fleet(models: &[&str]) -> (Fleet, Vec<GpuKey>) {
    let mut f = Fleet::new();
    let keys = models
        .iter()
        .enumerate()
        .map(|(i, m)| f.add_gpu(HostKey(i as u32 / 4), model(m), true))
        .collect();
    (f, keys)
}

fn put(f: &mut Fleet, gpu: GpuKey, slice: u64, profile: &str, start: u8, hours: i64) {
    let m = GpuModel::get(f.gpu(gpu).unwrap().occupancy.model_id());
    f.add_slice(
        gpu,
        SliceKey(slice),
        m.profile_by_name(profile).unwrap(),
        start,
        hours * HOUR,
    )
    .unwrap();
}

#[test]
fn first_fit_takes_the_lowest_gpu_and_lowest_placement() {
    let (mut f, g) = fleet(&["a100-40gb", "a100-40gb"]);
    put(&mut f, g[1], 1, "2g.10gb", 0, 1);
    let d = f
        .plan(&request("1g", &["a100-40gb"], 1), Policy::FirstFit)
        .unwrap();
    assert_eq!((d.gpu, d.placement.start), (g[0], 0));
}

#[test]
fn best_fit_takes_the_fullest_gpu_that_fits() {
    let (mut f, g) = fleet(&["a100-40gb", "a100-40gb", "a100-40gb"]);
    put(&mut f, g[1], 1, "4g.20gb", 0, 1);
    put(&mut f, g[2], 2, "2g.10gb", 0, 1);
    let d = f
        .plan(&request("1g", &["a100-40gb"], 1), Policy::BestFit)
        .unwrap();
    assert_eq!((d.gpu, d.placement.start), (g[1], 4));
}

#[test]
fn default_places_a_first_1g_at_the_edge_and_a_3g_at_the_upper_half() {
    let (f, g) = fleet(&["a100-40gb"]);
    let d = f
        .plan(&request("1g.5gb", &["a100-40gb"], 1), Policy::Default)
        .unwrap();
    assert_eq!((d.gpu, d.placement.start), (g[0], 6));
    let d = f
        .plan(&request("3g.20gb", &["a100-40gb"], 1), Policy::Default)
        .unwrap();
    assert_eq!(d.placement.start, 4);
}

#[test]
fn default_packs_onto_a_busy_gpu_rather_than_opening_an_empty_one() {
    let (mut f, g) = fleet(&["h100-80gb", "h100-80gb"]);
    put(&mut f, g[1], 1, "3g.40gb", 4, 8);
    let d = f
        .plan(&request("2g.20gb", &["h100-80gb"], 8), Policy::Default)
        .unwrap();
    assert_eq!(d.gpu, g[1]);
    // First-fit opens GPU 0, breaking the only place a 7g could still go.
    let d = f
        .plan(&request("2g.20gb", &["h100-80gb"], 8), Policy::FirstFit)
        .unwrap();
    assert_eq!(d.gpu, g[0]);
}

#[test]
fn default_puts_a_slice_in_a_half_that_runs_at_least_as_long_the_tightest_one() {
    let (mut f, g) = fleet(&["h100-80gb", "h100-80gb", "h100-80gb"]);
    // Three GPUs in one state, a 1g in the upper half ending after 2, 24 and 9 hours.
    put(&mut f, g[0], 1, "1g.10gb", 6, 2);
    put(&mut f, g[1], 2, "1g.10gb", 6, 24);
    put(&mut f, g[2], 3, "1g.10gb", 6, 9);
    // 8 hours fits inside the 9-hour and the 24-hour half: the one that frees soonest after.
    let d = f
        .plan(&request("1g.10gb", &["h100-80gb"], 8), Policy::Default)
        .unwrap();
    assert_eq!(d.gpu, g[2]);
    assert!(
        d.placement.start >= 4,
        "in the upper half: {:?}",
        d.placement
    );
    // 30 hours lengthens every half: beside the work that ends soonest (GPU 0's, at 2 h).
    let d = f
        .plan(&request("1g.10gb", &["h100-80gb"], 30), Policy::Default)
        .unwrap();
    assert_eq!(d.gpu, g[0]);
    // Best-fit and first-fit know no time: the lowest key.
    for policy in [Policy::BestFit, Policy::FirstFit] {
        let d = f
            .plan(&request("1g.10gb", &["h100-80gb"], 8), policy)
            .unwrap();
        assert_eq!(d.gpu, g[0], "{policy}");
    }
}

#[test]
fn default_keeps_a_half_that_will_come_free_clear_of_longer_work() {
    let (mut f, g) = fleet(&["h100-80gb", "h100-80gb"]);
    // GPU 0's lower half comes free in an hour; GPU 1's runs for a day.
    put(&mut f, g[0], 1, "2g.20gb", 0, 1);
    put(&mut f, g[1], 2, "2g.20gb", 0, 24);
    for hours in [8, 20] {
        let d = f
            .plan(&request("1g.10gb", &["h100-80gb"], hours), Policy::Default)
            .unwrap();
        assert_eq!(d.gpu, g[1], "{hours} h");
        // Beside the day-long 2g, in the half it already holds.
        assert!(d.placement.start < 4, "{hours} h: {:?}", d.placement);
    }
}

#[test]
fn cordoned_gpus_get_nothing_and_all_cordoned_says_so() {
    let (mut f, g) = fleet(&["a30-24gb", "a30-24gb"]);
    assert!(f.set_schedulable(g[0], false));
    let d = f
        .plan(&request("1g", &["a30-24gb"], 1), Policy::Default)
        .unwrap();
    assert_eq!(d.gpu, g[1]);
    f.set_schedulable(g[1], false);
    assert_eq!(
        f.plan(&request("1g", &["a30-24gb"], 1), Policy::Default)
            .unwrap_err(),
        NoFit::AllCordoned { gpus: 2 }
    );
    f.set_schedulable(g[0], true);
    assert_eq!(
        f.plan(&request("1g", &["a30-24gb"], 1), Policy::FirstFit)
            .unwrap()
            .gpu,
        g[0]
    );
}

#[test]
fn no_fit_reasons_distinguish_missing_models_fragmentation_and_exhaustion() {
    let (mut f, g) = fleet(&["a100-40gb"]);
    let err = f
        .plan(&request("2g.20gb", &["h100-80gb"], 1), Policy::Default)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no GPU in the fleet can hold 2g.20gb on h100-80gb"
    );

    // 1g at 0, 2 and 4: three free memory slices and four free compute slices, but no 2g
    // placement ({0,2,4}:2) is free.
    for (i, start) in [0u8, 2, 4].into_iter().enumerate() {
        put(&mut f, g[0], i as u64, "1g.5gb", start, 1);
    }
    let err = f
        .plan(&request("2g.10gb", &["a100-40gb"], 1), Policy::Default)
        .unwrap_err();
    assert_eq!(err, NoFit::Fragmented { gpus: 1 });

    put(&mut f, g[0], 10, "1g.5gb", 1, 1);
    put(&mut f, g[0], 11, "1g.5gb", 3, 1);
    let d = f
        .plan(&request("1g", &["a100-40gb"], 1), Policy::Default)
        .unwrap();
    assert_eq!(d.placement.start, 5);
    put(&mut f, g[0], 12, "1g.5gb", 5, 1);
    put(&mut f, g[0], 13, "1g.5gb", 6, 1);
    assert_eq!(
        f.plan(&request("1g", &["a100-40gb"], 1), Policy::Default),
        Err(NoFit::Exhausted)
    );
    assert!(f.remove_slice(SliceKey(13)));
    assert!(!f.remove_slice(SliceKey(13)));
    assert_eq!(
        f.plan(&request("1g", &["a100-40gb"], 1), Policy::FirstFit)
            .unwrap()
            .placement
            .start,
        6
    );
}

#[test]
fn plan_many_is_all_or_nothing_and_leaves_the_fleet_unchanged() {
    let (mut f, _) = fleet(&["h100-80gb", "h100-80gb"]);
    let before: Vec<_> = f.gpus().map(|g| *g.occupancy).collect();
    let ds = f
        .plan_many(&request("3g.40gb", &["h100-80gb"], 1), 4, Policy::Default)
        .unwrap();
    assert_eq!(ds.len(), 4);
    let mut placed: Vec<_> = ds.iter().map(|d| (d.gpu, d.placement.start)).collect();
    placed.sort();
    placed.dedup();
    assert_eq!(placed.len(), 4, "four distinct places");
    assert_eq!(
        f.plan_many(&request("3g.40gb", &["h100-80gb"], 1), 5, Policy::Default),
        Err(NoFit::Exhausted)
    );
    let after: Vec<_> = f.gpus().map(|g| *g.occupancy).collect();
    assert_eq!(before, after);
}

#[test]
fn host_filter_limits_the_choice_to_those_hosts() {
    let (mut f, g) = fleet(&["a100-40gb"; 8]);
    put(&mut f, g[0], 1, "4g.20gb", 0, 1);
    let mut req = request("1g", &["a100-40gb"], 1);
    req.hosts = Some(vec![HostKey(1)]);
    let d = f.plan(&req, Policy::Default).unwrap();
    assert_eq!(d.host, HostKey(1));
    req.hosts = Some(vec![HostKey(9)]);
    assert!(matches!(
        f.plan(&req, Policy::Default),
        Err(NoFit::NoSuchModel { .. })
    ));
}

#[test]
fn mixed_model_requests_choose_among_every_acceptable_shape() {
    let (mut f, g) = fleet(&["a100-40gb", "h100-80gb"]);
    put(&mut f, g[1], 1, "4g.40gb", 0, 1);
    // By need: 1g.5gb would need 10 GiB on A100 (1g.10gb), 1g.10gb on H100.
    let req = PlacementRequest {
        shapes: ProfileRequest::Need {
            min_memory_gib: 10,
            min_compute_slices: 1,
        }
        .resolve(&[])
        .unwrap(),
        now: 0,
        ends_at: HOUR,
        hosts: None,
    };
    let d = f.plan(&req, Policy::Default).unwrap();
    assert_eq!((d.gpu, d.shape.profile().name), (g[1], "1g.10gb"));
}

#[test]
fn a_request_several_models_can_take_goes_to_a_used_gpu_then_to_the_smaller_model() {
    let (mut f, g) = fleet(&["h100-80gb", "a30-24gb"]);
    let req = |hours| request("1g", &["h100-80gb", "a30-24gb"], hours);
    // Both idle: the A30, keeping the H100 whole for what only it can take.
    let d = f.plan(&req(8), Policy::Default).unwrap();
    assert_eq!((d.gpu, d.shape.profile().name), (g[1], "1g.6gb"));
    // A day-long 1g on the H100: an 8-hour 1g beside it lengthens nothing there, which comes
    // first. A 30-hour one lengthens a half wherever it goes: the H100 still, as the GPU in use
    // rather than the idle one, keeping the A30 whole for a request that needs all of it.
    put(&mut f, g[0], 1, "1g.10gb", 6, 24);
    assert_eq!(f.plan(&req(8), Policy::Default).unwrap().gpu, g[0]);
    assert_eq!(f.plan(&req(30), Policy::Default).unwrap().gpu, g[0]);
    // Both in use: the smaller model.
    put(&mut f, g[1], 2, "1g.6gb", 3, 24);
    assert_eq!(f.plan(&req(30), Policy::Default).unwrap().gpu, g[1]);
}

#[test]
fn capacity_counts_what_each_schedulable_gpu_could_still_take() {
    let (mut f, g) = fleet(&["a100-40gb", "a100-40gb", "a100-40gb"]);
    put(&mut f, g[0], 1, "3g.20gb", 4, 1);
    f.set_schedulable(g[2], false);
    let cap = f.capacity();
    let (m, per_profile) = &cap[0];
    let a100 = GpuModel::get(*m);
    let of = |name: &str| {
        per_profile
            .iter()
            .find(|(p, _)| a100.profile(*p).name == name)
            .unwrap()
            .1
    };
    assert_eq!((of("7g.40gb"), of("3g.20gb"), of("1g.5gb")), (1, 3, 11));
}

/// A small deterministic generator for randomized tests (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// One step of random churn at time `step`: a third of the time (with slices live) frees a
/// random one and gives `None`; otherwise a request for a random size of `sizes` on `models`
/// (every model if empty) lasting up to 500 s, `None` where no model offers it.
fn churn(
    f: &mut Fleet,
    rng: &mut Rng,
    live: &mut Vec<SliceKey>,
    (sizes, models): (&[&str], &[ModelId]),
    step: u64,
) -> Option<PlacementRequest> {
    if !live.is_empty() && rng.below(3) == 0 {
        let k = live.swap_remove(rng.below(live.len() as u64) as usize);
        assert!(f.remove_slice(k));
        return None;
    }
    let size = sizes[rng.below(sizes.len() as u64) as usize];
    let shapes = ProfileRequest::parse(size).unwrap().resolve(models).ok()?;
    Some(PlacementRequest {
        shapes,
        now: step as i64,
        ends_at: step as i64 + 1 + rng.below(500) as i64,
        hosts: None,
    })
}

/// Grants `d` as slice `step`, ending at `ends_at`, and counts it live.
fn grant(f: &mut Fleet, live: &mut Vec<SliceKey>, d: &Decision, step: u64, ends_at: i64) {
    f.add_slice(
        d.gpu,
        SliceKey(step),
        d.shape.profile,
        d.placement.start,
        ends_at,
    )
    .expect("decisions always fit");
    live.push(SliceKey(step));
}

#[test]
fn every_policy_is_complete_valid_and_deterministic_on_random_churn() {
    let models = ["a100-40gb", "h100-80gb", "a30-24gb", "rtx-pro-6000-96gb"];
    let sizes = ["1g", "2g", "3g", "4g", "7g"];
    for policy in Policy::ALL {
        let mut rng = Rng(7);
        let (mut f, _) = fleet(&[
            models[0], models[1], models[2], models[3], models[0], models[1],
        ]);
        let mut live: Vec<SliceKey> = Vec::new();
        for step in 0..2_000u64 {
            let Some(req) = churn(&mut f, &mut rng, &mut live, (&sizes, &[]), step) else {
                continue;
            };
            let any_fits = f.gpus().any(|g| {
                g.schedulable
                    && req.shapes.iter().any(|s| {
                        s.model == g.occupancy.model_id()
                            && g.occupancy.free_placements(s.profile).next().is_some()
                    })
            });
            let first = f.plan(&req, policy);
            assert_eq!(first, f.plan(&req, policy), "deterministic");
            match first {
                Ok(d) => {
                    assert!(any_fits);
                    grant(&mut f, &mut live, &d, step, req.ends_at);
                }
                Err(e) => assert!(!any_fits, "{policy}: {e} although a placement was free"),
            }
        }
    }
}

#[test]
fn policies_parse_from_their_names() {
    assert_eq!("best-fit".parse::<Policy>(), Ok(Policy::BestFit));
    assert_eq!(
        "worst".parse::<Policy>().unwrap_err().to_string(),
        "unknown policy `worst`; valid policies: first-fit, best-fit, default"
    );
}

#[test]
fn a_tie_seed_only_lets_best_fit_choose_another_gpu_in_the_same_state() {
    let sizes = ["1g", "2g", "3g", "4g"];
    let mut rng = Rng(11);
    let (mut f, _) = fleet(&["h100-80gb"; 24]);
    let mut live: Vec<SliceKey> = Vec::new();
    let mut moved = 0;
    let h100 = [model("h100-80gb")];
    for step in 0..1_500u64 {
        let Some(req) = churn(&mut f, &mut rng, &mut live, (&sizes, &h100), step) else {
            continue;
        };
        for policy in Policy::ALL {
            f.set_tie_seed(None);
            let plain = f.plan(&req, policy);
            f.set_tie_seed(Some(5));
            let seeded = f.plan(&req, policy);
            assert_eq!(seeded, f.plan(&req, policy), "deterministic for a seed");
            match (plain, seeded) {
                (Ok(p), Ok(s)) if policy != Policy::BestFit => assert_eq!(p, s),
                (Ok(p), Ok(s)) => {
                    let occ = |g: GpuKey| *f.gpu(g).unwrap().occupancy;
                    assert_eq!((p.shape, p.placement), (s.shape, s.placement));
                    assert_eq!(occ(p.gpu), occ(s.gpu), "{policy}: another state");
                    moved += usize::from(p.gpu != s.gpu);
                }
                (Err(_), Err(_)) => {}
                (p, s) => panic!("{policy}: {p:?} without a seed, {s:?} with"),
            }
        }
        f.set_tie_seed(None);
        if let Ok(d) = f.plan(&req, Policy::BestFit) {
            grant(&mut f, &mut live, &d, step, req.ends_at);
        }
    }
    assert!(moved > 20, "the seed chose another GPU only {moved} times");
}
