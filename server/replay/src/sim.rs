//! The replay itself: arrivals in order, each granted at arrival if the policy finds a place
//! (or, with `queue`, kept waiting in FIFO order), each grant freed at grant time + duration.

use crate::fleet_spec::FleetSpec;
use crate::trace::{Trace, TraceRequest};
use slicebroker_placement::{Fleet, GpuKey, PlacementRequest, Policy, SliceKey};
use slicebroker_types::{GpuModel, Occupancy, ProfileRequest, SliceShape};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, VecDeque};
use std::time::Instant;

/// The profile sizes whose readiness the report tracks, largest first.
pub const LARGE_SIZES: [u8; 3] = [7, 4, 3];

#[derive(Clone, Debug, Default)]
pub struct Outcome {
    pub requests: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub rejected_by_size: BTreeMap<String, u64>,
    pub compute_slice_hours_granted: f64,
    /// Time-averaged share of the fleet's compute slices held by granted slices.
    pub allocated_compute_share: f64,
    /// Per size in [`LARGE_SIZES`]: time-averaged share of the GPUs offering that size that
    /// could take one more.
    pub large_profile_ready_share: BTreeMap<String, f64>,
    /// Wall time of every planner decision, in nanoseconds.
    pub decision_ns: Vec<u64>,
    /// Seconds each served request waited (all zero without a queue).
    pub waits_s: Vec<f64>,
}

fn ms(seconds: f64) -> i64 {
    (seconds * 1000.0).round() as i64
}

fn size_label(req: &ProfileRequest) -> String {
    match req {
        ProfileRequest::Named(name) => name.split('.').next().unwrap_or(name).to_owned(),
        ProfileRequest::Size(n) => format!("{n}g"),
        ProfileRequest::Need { .. } => "need".to_owned(),
        ProfileRequest::PerModel { .. } => "class".to_owned(),
    }
}

/// Time integrals of what the report averages, over the arrival window.
struct Tracker {
    window: (i64, i64),
    last: i64,
    allocated: u64,
    ready: [u64; 3],
    allocated_integral: f64,
    ready_integral: [f64; 3],
}

impl Tracker {
    fn new(fleet: &Fleet, window: (i64, i64)) -> Self {
        let mut ready = [0; 3];
        for g in fleet.gpus() {
            for (r, flag) in ready.iter_mut().zip(ready_flags(g.occupancy)) {
                *r += u64::from(flag);
            }
        }
        Self {
            window,
            last: window.0,
            allocated: 0,
            ready,
            allocated_integral: 0.0,
            ready_integral: [0.0; 3],
        }
    }

    fn advance(&mut self, t: i64) {
        let from = self.last.max(self.window.0);
        let to = t.min(self.window.1);
        if to > from {
            let dt = (to - from) as f64;
            self.allocated_integral += self.allocated as f64 * dt;
            for (acc, n) in self.ready_integral.iter_mut().zip(self.ready) {
                *acc += n as f64 * dt;
            }
        }
        self.last = self.last.max(t);
    }

    fn changed(&mut self, before: &Occupancy, after: &Occupancy) {
        self.allocated =
            self.allocated + u64::from(after.compute_used()) - u64::from(before.compute_used());
        for ((n, b), a) in self
            .ready
            .iter_mut()
            .zip(ready_flags(before))
            .zip(ready_flags(after))
        {
            *n = *n + u64::from(a) - u64::from(b);
        }
    }
}

fn ready_flags(occ: &Occupancy) -> [bool; 3] {
    LARGE_SIZES.map(|size| {
        occ.model()
            .standard_profile_of_size(size)
            .is_some_and(|p| occ.remaining_capacity(p) > 0)
    })
}

struct Replay<'a> {
    fleet: Fleet,
    policy: Policy,
    tracker: Tracker,
    departures: BinaryHeap<Reverse<(i64, u64)>>,
    queue: VecDeque<(&'a TraceRequest, Vec<SliceShape>)>,
    out: Outcome,
}

impl<'a> Replay<'a> {
    fn occupancy(&self, gpu: GpuKey) -> Occupancy {
        *self.fleet.gpu(gpu).expect("planner GPUs exist").occupancy
    }

    /// Plans `req` at time `now`, granting it if a place is found.
    fn try_grant(&mut self, req: &TraceRequest, shapes: &[SliceShape], now: i64) -> bool {
        let ends_at = now + ms(req.duration_s);
        let plan = PlacementRequest {
            shapes: shapes.to_vec(),
            now,
            ends_at,
            hosts: None,
        };
        let started = Instant::now();
        let decision = self.fleet.plan(&plan, self.policy);
        self.out
            .decision_ns
            .push(started.elapsed().as_nanos() as u64);
        let Ok(d) = decision else { return false };
        let before = self.occupancy(d.gpu);
        let key = SliceKey(req.line as u64);
        self.fleet
            .add_slice(d.gpu, key, d.shape.profile, d.placement.start, ends_at)
            .expect("the planner proposes only placements that fit");
        self.tracker.changed(&before, &self.occupancy(d.gpu));
        self.departures.push(Reverse((ends_at, key.0)));
        self.out.accepted += 1;
        self.out.compute_slice_hours_granted +=
            f64::from(d.shape.profile().compute_slices) * req.duration_s / 3600.0;
        self.out
            .waits_s
            .push((now - ms(req.arrival_s)) as f64 / 1000.0);
        true
    }

    /// Serves the queue's head for as long as it fits (strict FIFO: the head blocks the rest).
    fn serve_queue(&mut self, now: i64) {
        while let Some((req, shapes)) = self.queue.front() {
            let (req, shapes) = (*req, shapes.clone());
            if !self.try_grant(req, &shapes, now) {
                break;
            }
            self.queue.pop_front();
        }
    }

    /// Frees every slice ending at or before `t`, serving the queue as each frees.
    fn release_until(&mut self, t: i64) {
        while let Some(&Reverse((end, key))) = self.departures.peek() {
            if end > t {
                break;
            }
            self.departures.pop();
            self.tracker.advance(end);
            let gpu = self.fleet.slice_gpu(SliceKey(key)).expect("live slice");
            let before = self.occupancy(gpu);
            self.fleet.remove_slice(SliceKey(key));
            self.tracker.changed(&before, &self.occupancy(gpu));
            if !self.queue.is_empty() {
                self.serve_queue(end);
            }
        }
        self.tracker.advance(t);
    }

    fn reject(&mut self, req: &TraceRequest) {
        self.out.rejected += 1;
        *self
            .out
            .rejected_by_size
            .entry(size_label(&req.profile))
            .or_default() += 1;
    }
}

/// Replays `trace` on a fresh fleet built from `spec` under `policy`.
pub fn replay(spec: &FleetSpec, trace: &Trace, policy: Policy, queue: bool) -> Outcome {
    let fleet = spec.build();
    let window = match (trace.requests.first(), trace.requests.last()) {
        (Some(first), Some(last)) => (ms(first.arrival_s), ms(last.arrival_s)),
        _ => (0, 0),
    };
    let tracker = Tracker::new(&fleet, window);
    let mut r = Replay {
        fleet,
        policy,
        tracker,
        departures: BinaryHeap::new(),
        queue: VecDeque::new(),
        out: Outcome {
            requests: trace.requests.len() as u64,
            ..Outcome::default()
        },
    };
    let fleet_models = spec.models();
    for req in &trace.requests {
        let now = ms(req.arrival_s);
        r.release_until(now);
        let scope = req
            .gpu_model
            .map_or_else(|| fleet_models.clone(), |m| vec![m]);
        let shapes: Vec<SliceShape> = req
            .profile
            .resolve(&scope)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| fleet_models.contains(&s.model))
            .collect();
        if shapes.is_empty() {
            // No GPU of this fleet can ever hold it: waiting would be forever.
            r.reject(req);
            continue;
        }
        if queue && !r.queue.is_empty() {
            r.queue.push_back((req, shapes));
            r.serve_queue(now);
        } else if !r.try_grant(req, &shapes, now) {
            if queue {
                r.queue.push_back((req, shapes));
            } else {
                r.reject(req);
            }
        }
    }
    r.release_until(i64::MAX);
    debug_assert!(
        r.queue.is_empty(),
        "an empty fleet serves every placeable request"
    );
    finish(r, spec)
}

fn finish(r: Replay<'_>, spec: &FleetSpec) -> Outcome {
    let mut out = r.out;
    let span = (r.tracker.window.1 - r.tracker.window.0).max(1) as f64;
    out.allocated_compute_share =
        r.tracker.allocated_integral / span / spec.compute_slices() as f64;
    for (i, size) in LARGE_SIZES.into_iter().enumerate() {
        let offering: u64 = spec
            .0
            .iter()
            .filter(|(m, _)| GpuModel::get(*m).standard_profile_of_size(size).is_some())
            .map(|(_, n)| u64::from(*n))
            .sum();
        let share = if offering == 0 {
            0.0
        } else {
            r.tracker.ready_integral[i] / span / offering as f64
        };
        out.large_profile_ready_share
            .insert(format!("{size}g"), share);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(rows: &str) -> Trace {
        Trace::parse(&format!(
            "request_id,arrival_s,duration_s,profile,gpu_model\n{rows}"
        ))
        .unwrap()
    }

    #[test]
    fn grants_frees_and_rejects_on_identical_input() {
        let spec = FleetSpec::parse("a100-40gb:1").unwrap();
        // A 7g for 100 s, a 1g that cannot fit beside it, then one after it ends.
        let t = trace("a,0,100,7g,\nb,10,50,1g,\nc,100,50,1g,\nd,120,10,2g.20gb,\n");
        for policy in Policy::ALL {
            let out = replay(&spec, &t, policy, false);
            assert_eq!(
                (out.requests, out.accepted, out.rejected),
                (4, 2, 2),
                "{policy}"
            );
            assert_eq!(
                out.rejected_by_size,
                BTreeMap::from([("1g".into(), 1), ("2g".into(), 1)])
            );
            let hours = (7.0 * 100.0 + 50.0) / 3600.0;
            assert!((out.compute_slice_hours_granted - hours).abs() < 1e-9);
            // Window 0..120 s: 7 slices for 100 s, 1 slice for 20 s.
            let share = (7.0 * 100.0 + 20.0) / 120.0 / 7.0;
            assert!(
                (out.allocated_compute_share - share).abs() < 1e-9,
                "{}",
                out.allocated_compute_share
            );
            // A 7g fits only while the GPU is empty: never during 0..100, not beside the 1g after.
            assert!(out.large_profile_ready_share["7g"].abs() < 1e-9);
            assert_eq!(out.decision_ns.len(), 3);
        }
    }

    #[test]
    fn the_queue_serves_waiting_requests_in_order_when_capacity_frees() {
        let spec = FleetSpec::parse("a30-24gb:1").unwrap();
        let t = trace("a,0,100,4g,\nb,10,50,2g,\nc,20,50,1g,\nd,30,10,7g,\n");
        let out = replay(&spec, &t, Policy::Default, true);
        assert_eq!((out.accepted, out.rejected), (3, 1));
        assert_eq!(out.rejected_by_size, BTreeMap::from([("7g".into(), 1)]));
        assert_eq!(out.waits_s, [0.0, 90.0, 80.0]);
    }

    #[test]
    fn default_accepts_more_than_first_fit_when_fragmentation_bites() {
        // First-fit puts a 1g at slot 0, where it blocks the only 4g placement; the default
        // puts it at slot 6.
        let spec = FleetSpec::parse("a100-40gb:1").unwrap();
        let t = trace("a,0,1000,1g,\nb,1,1000,4g,\n");
        let ff = replay(&spec, &t, Policy::FirstFit, false);
        let default = replay(&spec, &t, Policy::Default, false);
        assert_eq!((ff.accepted, default.accepted), (1, 2));
    }
}
