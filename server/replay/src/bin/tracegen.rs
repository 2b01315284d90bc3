//! `slicebroker-tracegen`: writes a synthetic MIG workload trace for `slicebroker-replay`.

use clap::Parser;
use slicebroker_replay::fleet_spec::FleetSpec;
use slicebroker_replay::generate::{GenOptions, generate};

#[derive(Debug, Parser)]
#[command(
    name = "slicebroker-tracegen",
    about = "Generate a synthetic MIG workload trace (CSV on stdout): real-time inference on \
             1g/2g, batch inference and medium training on 3g/4g, large jobs on 7g, with \
             heavy-tailed durations and Poisson arrivals"
)]
struct Args {
    /// The fleet the load is sized for: MODEL:COUNT[,MODEL:COUNT…]
    #[arg(long, value_parser = |s: &str| FleetSpec::parse(s).map_err(|e| e.to_string()))]
    fleet: FleetSpec,
    /// Offered load as a share of the fleet's compute capacity (1.0 = 100 %)
    #[arg(long, default_value_t = 1.0, value_parser = positive)]
    load: f64,
    /// Length of the arrival window in hours
    #[arg(long, default_value_t = 72.0, value_parser = positive)]
    hours: f64,
    /// Random seed: the same seed and options give the same trace
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn positive(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        _ => Err(format!("`{s}` is not a positive number")),
    }
}

fn main() {
    let args = Args::parse();
    let opts = GenOptions {
        load: args.load,
        hours: args.hours,
        seed: args.seed,
    };
    print!("{}", generate(&args.fleet, &opts));
}
