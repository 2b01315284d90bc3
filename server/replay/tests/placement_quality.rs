//! The default policy against best-fit on generated traces at saturation (issue 14, "placement
//! quality without bookings"): it must accept at least as many requests and grant more
//! compute-slice-hours. One trace is too noisy to pin on a small fleet (a single placement
//! changes which later requests fit), so the test sums a fixed set of seeds.

use slicebroker_placement::Policy;
use slicebroker_replay::fleet_spec::FleetSpec;
use slicebroker_replay::generate::{GenOptions, generate};
use slicebroker_replay::sim::{Outcome, replay};
use slicebroker_replay::trace::Trace;

/// Accepted requests and compute-slice-hours under `policy`, summed over every trace.
fn totals(spec: &FleetSpec, traces: &[Trace], policy: Policy) -> (u64, f64) {
    traces
        .iter()
        .map(|t| replay(spec, t, policy, false))
        .fold((0, 0.0), |(n, h), o: Outcome| {
            (n + o.accepted, h + o.compute_slice_hours_granted)
        })
}

/// At each offered load from 100 to 150 %, summed over eight seeds, on a fleet of 7-slice GPUs
/// and on one with A30s (4 slices), where a request can take either model.
#[test]
fn default_accepts_at_least_as_many_as_best_fit_and_grants_more_work_at_saturation() {
    for (fleet, load) in [
        "h100-80gb:80,a100-40gb:20",
        "h100-80gb:60,a100-40gb:20,a30-24gb:20",
    ]
    .into_iter()
    .flat_map(|f| [1.0, 1.15, 1.3, 1.5].map(|l| (f, l)))
    {
        let spec = FleetSpec::parse(fleet).unwrap();
        let traces: Vec<Trace> = (1..=8)
            .map(|seed| {
                let opts = GenOptions {
                    load,
                    hours: 72.0,
                    seed,
                    bookings: None,
                };
                Trace::parse(&generate(&spec, &opts)).unwrap()
            })
            .collect();
        let (best_fit_accepted, best_fit_hours) = totals(&spec, &traces, Policy::BestFit);
        let (accepted, hours) = totals(&spec, &traces, Policy::Default);
        let requests: usize = traces.iter().map(|t| t.requests.len()).sum();
        // Saturated: best-fit rejects some requests (0.8 % at 100 %, 9 % at 150 %), so the
        // comparison means something.
        assert!(
            best_fit_accepted < requests as u64 * 995 / 1000,
            "{fleet} at {load}: {best_fit_accepted} of {requests}"
        );
        assert!(
            accepted >= best_fit_accepted,
            "{fleet} at {load}: default accepted {accepted}, best-fit {best_fit_accepted}"
        );
        assert!(
            hours > best_fit_hours,
            "{fleet} at {load}: default granted {hours:.0} compute-slice-hours, best-fit {best_fit_hours:.0}"
        );
    }
}
