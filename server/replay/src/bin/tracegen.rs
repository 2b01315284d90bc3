//! `slicebroker-tracegen`: writes a synthetic MIG workload trace for `slicebroker-replay`.

use clap::Parser;
use slicebroker_replay::fleet_spec::FleetSpec;
use slicebroker_replay::generate::{BookingMix, GenOptions, generate, parse_duration_range};

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
    /// Share of requests (0..1) that are bookings: rows get a booked_s column, when the booking
    /// was made, and arrival_s becomes its start. The requests are the same as without it.
    #[arg(long, value_parser = share)]
    booked_share: Option<f64>,
    /// How long before its start a booking is made: MIN..MAX with units s, m, h, d,
    /// log-uniform in between (bookings that would be made before the trace starts are made
    /// at 0)
    #[arg(long, default_value = "1h..3d", value_parser = parse_duration_range)]
    book_ahead: (f64, f64),
}

fn share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a share between 0 and 1")),
    }
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
        bookings: args.booked_share.map(|share| BookingMix {
            share,
            ahead_s: args.book_ahead,
        }),
    };
    print!("{}", generate(&args.fleet, &opts));
}
