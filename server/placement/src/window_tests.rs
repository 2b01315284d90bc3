//! Bookings in the planner: on-demand decisions respect them, booking decisions fit in time.

use crate::{Fleet, GpuKey, HostKey, PlacementRequest, Policy, SliceKey};
use proptest::prelude::*;
use slicebroker_types::{GpuModel, ModelId, ProfileIdx, ProfileRequest};

const HOUR: i64 = 3600;

fn h100() -> ModelId {
    GpuModel::find("h100-80gb").unwrap()
}

fn profile(name: &str) -> ProfileIdx {
    GpuModel::get(h100()).profile_by_name(name).unwrap()
}

fn fleet(gpus: u32) -> (Fleet, Vec<GpuKey>) {
    let mut f = Fleet::new();
    let keys = (0..gpus)
        .map(|i| f.add_gpu(HostKey(i / 4), h100(), true))
        .collect();
    (f, keys)
}

fn request(name: &str, now: i64, ends_at: i64) -> PlacementRequest {
    PlacementRequest {
        shapes: ProfileRequest::parse(name)
            .unwrap()
            .resolve(&[h100()])
            .unwrap(),
        now,
        ends_at,
        hosts: None,
    }
}

fn book(f: &mut Fleet, gpu: GpuKey, key: u64, name: &str, start: u8, window: (i64, i64)) {
    f.add_booking(gpu, SliceKey(key), profile(name), start, window)
        .unwrap();
}

#[test]
fn a_booking_goes_right_after_a_slice_that_ends_just_before_it_rather_than_onto_an_empty_gpu() {
    let (mut f, g) = fleet(3);
    // GPU 0 empty; GPU 1's 3g at 4 ends at 9h; GPU 2's 3g at 4 ends at 3h.
    f.add_slice(g[1], SliceKey(1), profile("3g.40gb"), 4, 9 * HOUR)
        .unwrap();
    f.add_slice(g[2], SliceKey(2), profile("3g.40gb"), 4, 3 * HOUR)
        .unwrap();
    let d = f
        .plan_during(
            &request("3g.40gb", 0, 18 * HOUR),
            10 * HOUR,
            Policy::Default,
        )
        .unwrap();
    assert_eq!((d.gpu, d.placement.start), (g[1], 4));
}

#[test]
fn two_bookings_pack_back_to_back() {
    let (mut f, g) = fleet(4);
    book(&mut f, g[2], 1, "7g.80gb", 0, (10 * HOUR, 14 * HOUR));
    // The next 7g for 14h..18h goes right after it, not onto an empty GPU.
    let d = f
        .plan_during(
            &request("7g.80gb", 0, 18 * HOUR),
            14 * HOUR,
            Policy::Default,
        )
        .unwrap();
    assert_eq!(d.gpu, g[2]);
    // And one for 6h..10h right before it.
    let d = f
        .plan_during(&request("7g.80gb", 0, 10 * HOUR), 6 * HOUR, Policy::Default)
        .unwrap();
    assert_eq!(d.gpu, g[2]);
    // Overlapping it, it must go elsewhere: the lowest empty GPU.
    let d = f
        .plan_during(&request("7g.80gb", 0, 12 * HOUR), 8 * HOUR, Policy::Default)
        .unwrap();
    assert_eq!(d.gpu, g[0]);
}

#[test]
fn a_booking_decision_skips_memory_slices_taken_during_its_window() {
    let (mut f, g) = fleet(1);
    f.add_slice(g[0], SliceKey(1), profile("3g.40gb"), 0, 20 * HOUR)
        .unwrap();
    book(&mut f, g[0], 2, "3g.40gb", 4, (5 * HOUR, 12 * HOUR));
    let d = f
        .plan_during(
            &request("3g.40gb", 0, 15 * HOUR),
            12 * HOUR,
            Policy::Default,
        )
        .unwrap();
    assert_eq!(d.placement.start, 4);
    panic_if_overlapping(&mut f, d.gpu, d.placement.start, (12 * HOUR, 15 * HOUR));
    assert!(
        f.plan_during(&request("3g.40gb", 0, 11 * HOUR), 6 * HOUR, Policy::Default)
            .is_err()
    );
}

fn panic_if_overlapping(f: &mut Fleet, gpu: GpuKey, start: u8, window: (i64, i64)) {
    f.add_booking(gpu, SliceKey(999), profile("3g.40gb"), start, window)
        .expect("free for its window");
    f.remove_slice(SliceKey(999));
}

#[test]
fn on_demand_avoids_a_booking_that_starts_before_it_ends_and_ignores_one_after() {
    let (mut f, g) = fleet(1);
    book(&mut f, g[0], 1, "4g.40gb", 0, (2 * HOUR, 4 * HOUR));
    // Until 1h: the whole GPU is free now and then.
    let d = f
        .plan(&request("7g.80gb", 0, HOUR), Policy::Default)
        .unwrap();
    assert_eq!(d.gpu, g[0]);
    // Until 3h: the 7g would overlap the booking; a 3g fits beside it at 4.
    assert!(
        f.plan(&request("7g.80gb", 0, 3 * HOUR), Policy::Default)
            .is_err()
    );
    for policy in Policy::ALL {
        let d = f.plan(&request("3g.40gb", 0, 3 * HOUR), policy).unwrap();
        assert_eq!(d.placement.start, 4, "{policy}");
    }
}

#[test]
fn media_engines_are_kept_for_a_booking_conservatively() {
    let (mut f, g) = fleet(1);
    book(&mut f, g[0], 1, "1g.10gb+me", 0, (2 * HOUR, 4 * HOUR));
    assert!(
        f.plan(&request("1g.10gb+me", 0, 3 * HOUR), Policy::Default)
            .is_err()
    );
    assert!(
        f.plan(&request("1g.10gb+me", 0, HOUR), Policy::Default)
            .is_ok()
    );
    assert!(
        f.plan_during(
            &request("1g.10gb+me", 0, 5 * HOUR),
            3 * HOUR,
            Policy::Default
        )
        .is_err()
    );
}

#[test]
fn a_booking_whose_window_begins_moves_onto_its_gpu() {
    let (mut f, g) = fleet(2);
    book(&mut f, g[0], 1, "7g.80gb", 0, (2 * HOUR, 4 * HOUR));
    assert_eq!(f.advance(HOUR), 0);
    assert_eq!(f.advance(2 * HOUR), 1);
    assert_eq!(f.bookings(), 0);
    assert!(!f.gpu(g[0]).unwrap().occupancy.is_empty());
    let d = f
        .plan(&request("1g.10gb", 2 * HOUR, 3 * HOUR), Policy::Default)
        .unwrap();
    assert_eq!(d.gpu, g[1]);
    // It is an ordinary slice now: released like one.
    assert!(f.remove_slice(SliceKey(1)));
    assert!(f.gpu(g[0]).unwrap().occupancy.is_empty());
}

#[test]
fn plan_many_during_places_all_or_nothing_and_leaves_the_fleet_unchanged() {
    let (mut f, g) = fleet(2);
    book(&mut f, g[0], 1, "7g.80gb", 0, (2 * HOUR, 4 * HOUR));
    let req = request("7g.80gb", 0, 5 * HOUR);
    assert!(
        f.plan_many_during(&req, 3 * HOUR, 2, Policy::Default)
            .is_err()
    );
    let d = f
        .plan_many_during(&req, 4 * HOUR, 2, Policy::Default)
        .unwrap();
    assert_eq!(d.len(), 2);
    assert_ne!(d[0].gpu, d[1].gpu);
    assert_eq!(f.bookings(), 1);
}

/// Random live slices from the planner itself, ending within 10 hours.
fn busy(seed: &[(u8, u16)]) -> Fleet {
    let (mut f, _) = fleet(12);
    for (i, &(size, hours)) in seed.iter().enumerate() {
        let req = PlacementRequest {
            shapes: ProfileRequest::Size(size).resolve(&[h100()]).unwrap(),
            now: 0,
            ends_at: i64::from(hours) * 60,
            hosts: None,
        };
        if let Ok(d) = f.plan(&req, Policy::Default) {
            f.add_slice(
                d.gpu,
                SliceKey(i as u64),
                d.shape.profile,
                d.placement.start,
                req.ends_at,
            )
            .unwrap();
        }
    }
    f
}

proptest! {
    /// Bookings that start after a request ends change nothing about where it goes: with none
    /// in the way, on-demand decisions are those of the plain occupancy walk.
    #[test]
    fn bookings_after_an_on_demand_request_do_not_change_its_decision(
        seed in prop::collection::vec((prop::sample::select(vec![1u8, 1, 2, 3, 4, 7]), 1u16..600), 0..40),
        later in prop::collection::vec((0u32..12, prop::sample::select(vec!["1g.10gb", "2g.20gb", "3g.40gb", "7g.80gb"]), 0u8..7), 0..20),
        asks in prop::collection::vec((prop::sample::select(vec![1u8, 2, 3, 4, 7]), 1i64..600), 1..10),
    ) {
        let plain = busy(&seed);
        let mut booked = plain.clone();
        for (i, (gpu, name, start)) in later.into_iter().enumerate() {
            // After every live slice and every request ends; any start, legal or not.
            let at = 40_000 + i as i64 * 100;
            let _ = booked.add_booking(GpuKey(gpu), SliceKey(10_000 + i as u64), profile(name), start, (at, at + 50));
        }
        for (size, minutes) in asks {
            let req = PlacementRequest {
                shapes: ProfileRequest::Size(size).resolve(&[h100()]).unwrap(),
                now: 0,
                ends_at: minutes * 60,
                hosts: None,
            };
            for policy in Policy::ALL {
                prop_assert_eq!(plain.plan(&req, policy), booked.plan(&req, policy));
            }
        }
    }

    /// The occupancy walk, which ranks a whole state's GPUs at once through its index of when
    /// each half ends, chooses what ranking every GPU on its own would (as a request limited to
    /// hosts does), with bookings in the way or not and slices past their end.
    #[test]
    fn the_indexed_walk_chooses_what_each_gpu_ranked_alone_would(
        seed in prop::collection::vec((prop::sample::select(vec![1u8, 1, 1, 2, 2, 3, 4, 7]), 1u16..600), 0..60),
        bookings in prop::collection::vec((0u32..12, prop::sample::select(vec!["1g.10gb", "2g.20gb", "3g.40gb", "7g.80gb"]), 0u8..7, 0i64..600, 1i64..600), 0..10),
        asks in prop::collection::vec((prop::sample::select(vec![1u8, 2, 3, 4, 7]), 0i64..300, 1i64..600), 1..10),
    ) {
        let mut f = busy(&seed);
        for (i, (gpu, name, start, from, len)) in bookings.into_iter().enumerate() {
            let w = (60 * from + 1, 60 * (from + len) + 1);
            let _ = f.add_booking(GpuKey(gpu), SliceKey(10_000 + i as u64), profile(name), start, w);
        }
        let hosts: Vec<HostKey> = (0..3).map(HostKey).collect();
        for (size, now, minutes) in asks {
            let req = PlacementRequest {
                shapes: ProfileRequest::Size(size).resolve(&[h100()]).unwrap(),
                now: 60 * now,
                ends_at: 60 * (now + minutes),
                hosts: None,
            };
            let alone = PlacementRequest { hosts: Some(hosts.clone()), ..req.clone() };
            for policy in Policy::ALL {
                prop_assert_eq!(f.plan(&req, policy), f.plan(&alone, policy), "{}", policy);
            }
        }
    }

    /// Whatever is booked, a decision is free for its whole window: the fleet accepts it as a
    /// booking (on-demand: from now until it ends).
    #[test]
    fn every_decision_is_free_for_its_window(
        seed in prop::collection::vec((prop::sample::select(vec![1u8, 1, 2, 3, 4, 7]), 1u16..600), 0..40),
        bookings in prop::collection::vec((0u32..12, prop::sample::select(vec!["1g.10gb", "1g.10gb+me", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"]), 0u8..7, 0i64..600, 1i64..600), 0..30),
        asks in prop::collection::vec((prop::sample::select(vec!["1g.10gb", "1g.10gb+me", "2g.20gb", "3g.40gb", "4g.40gb", "7g.80gb"]), 0i64..600, 1i64..600), 1..10),
    ) {
        let mut f = busy(&seed);
        for (i, (gpu, name, start, from, len)) in bookings.into_iter().enumerate() {
            let w = (60 * from + 1, 60 * (from + len) + 1);
            let _ = f.add_booking(GpuKey(gpu), SliceKey(10_000 + i as u64), profile(name), start, w);
        }
        for (i, (name, from, len)) in asks.into_iter().enumerate() {
            let key = SliceKey(20_000 + i as u64);
            for policy in Policy::ALL {
                let req = request(name, 0, 60 * len);
                if let Ok(d) = f.plan(&req, policy) {
                    prop_assert!(f.add_booking(d.gpu, key, d.shape.profile, d.placement.start, (0, req.ends_at)).is_ok(), "{:?}", d);
                    prop_assert!(f.gpu(d.gpu).unwrap().occupancy.fits(d.shape.profile, d.placement.start));
                    f.remove_slice(key);
                }
                let req = request(name, 0, 60 * (from + len));
                let decided = f.plan_during(&req, 60 * from, policy);
                f.scan_only = true;
                prop_assert_eq!(&decided, &f.plan_during(&req, 60 * from, policy), "best first finds the best");
                f.scan_only = false;
                if let Ok(d) = decided {
                    prop_assert!(f.add_booking(d.gpu, key, d.shape.profile, d.placement.start, (60 * from, req.ends_at)).is_ok(), "{:?}", d);
                    f.remove_slice(key);
                }
            }
        }
    }
}
