//! `slicebroker-replay`: replays a workload trace against a simulated fleet under every
//! placement policy, so the policies are compared on identical input.

use clap::Parser;
use slicebroker_placement::Policy;
use slicebroker_replay::fleet_spec::FleetSpec;
use slicebroker_replay::report::{PolicyReport, booking_table, table};
use slicebroker_replay::sim::replay_with_tie_seed;
use slicebroker_replay::trace::Trace;
use slicebroker_types::GpuModel;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "slicebroker-replay",
    about = "Replay a MIG workload trace against a simulated fleet under each placement policy",
    after_help = after_help()
)]
struct Args {
    /// The fleet: MODEL:COUNT[,MODEL:COUNT…], e.g. h100-80gb:800,a100-40gb:200
    #[arg(long, value_parser = |s: &str| FleetSpec::parse(s).map_err(|e| e.to_string()))]
    fleet: FleetSpec,
    /// first-fit, best-fit, default, or all
    #[arg(long, default_value = "all")]
    policy: String,
    /// Requests that do not fit wait in a FIFO queue instead of being rejected
    #[arg(long)]
    queue: bool,
    /// Print a human table instead of JSON
    #[arg(long)]
    table: bool,
    /// Best-fit only: give each slice to a GPU of the occupancy state best-fit chose picked by
    /// this seed, instead of the lowest-numbered one (best-fit sees them as equal). Replaying
    /// best-fit with and without a seed shows how much chance alone moves the results
    #[arg(long, value_name = "SEED")]
    tie_seed: Option<u64>,
    /// Trace CSV with header request_id,arrival_s,duration_s,profile,gpu_model[,booked_s]
    trace: PathBuf,
}

fn after_help() -> String {
    format!(
        "GPU models (catalog keys): {}\n\n\
         Trace rows: `profile` is a catalog profile name (2g.20gb) or a compute size \
         (1g|2g|3g|4g|7g: that size on whichever model is chosen); `gpu_model` is optional. \
         A row with `booked_s` is a booking made then for the window starting at `arrival_s`: \
         it is pinned when made (or refused) and must begin where pinned. A trace with \
         bookings is also replayed with them dropped, to compare on-demand acceptance.\n\
         Output: a JSON array, one object per policy (or a table with --table). Malformed rows \
         are reported on stderr with their line number and skipped.",
        GpuModel::keys().join(", ")
    )
}

fn main() -> ExitCode {
    let args = Args::parse();
    let policies: Vec<Policy> = if args.policy.eq_ignore_ascii_case("all") {
        Policy::ALL.to_vec()
    } else {
        match args.policy.parse() {
            Ok(p) => vec![p],
            Err(e) => {
                eprintln!("error: {e} (or all)");
                return ExitCode::from(2);
            }
        }
    };
    let text = match std::fs::read_to_string(&args.trace) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.trace.display());
            return ExitCode::from(2);
        }
    };
    let trace = match Trace::parse(&text) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {}: {e}", args.trace.display());
            return ExitCode::from(2);
        }
    };
    for e in &trace.errors {
        eprintln!("{}: skipped {e}", args.trace.display());
    }
    if !trace.errors.is_empty() {
        eprintln!(
            "{}: {} malformed rows skipped",
            args.trace.display(),
            trace.errors.len()
        );
    }
    let on_demand = (trace.bookings() > 0).then(|| trace.without_bookings());
    let reports: Vec<PolicyReport> = policies
        .into_iter()
        .map(|p| {
            let run =
                |t: &Trace| replay_with_tie_seed(&args.fleet, t, p, args.queue, args.tie_seed);
            let out = run(&trace);
            let report = PolicyReport::new(p, &out, args.queue);
            match &on_demand {
                Some(t) => report.with_bookings(&out, &run(t)),
                None => report,
            }
        })
        .collect();
    if args.table {
        print!("{}", table(&reports));
        let bookings = booking_table(&reports);
        if !bookings.is_empty() {
            print!("\n{bookings}");
        }
    } else {
        println!(
            "{}",
            serde_json::to_string_pretty(&reports).expect("reports serialize")
        );
    }
    ExitCode::SUCCESS
}
