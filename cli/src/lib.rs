//! `slicectl`, the command-line client of slicebroker's public API: lease MIG slices, use and
//! release them, and (admins) run tenants, keys and the fleet. A client of the public API only,
//! speaking the wire types of `slicebroker_types::api`.

pub mod cli;
mod client;
mod cmd;
mod config;
pub mod error;
mod output;
mod parse;
mod prompt;

use std::process::ExitCode;

/// Runs the command line and says how it went, as the documented exit code.
pub fn main() -> ExitCode {
    let mut cli = match cli::Cli::try_parse_args(std::env::args_os()) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap: 0 for --help and --version, 2 for usage errors.
            return ExitCode::from(e.exit_code() as u8);
        }
    };
    cli.global = cli.global.with_env(|name| std::env::var(name).ok());
    let verbose = cli.global.verbose;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime starts");
    match runtime.block_on(cmd::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let (true, error::Error::Api(api)) = (verbose, &e) {
                let body = serde_json::from_str::<serde_json::Value>(&api.body)
                    .ok()
                    .and_then(|v| serde_json::to_string_pretty(&v).ok())
                    .unwrap_or_else(|| api.body.clone());
                eprintln!(
                    "{} {} -> {}\n{body}",
                    api.method, api.url, api.problem.status
                );
            }
            ExitCode::from(e.exit() as u8)
        }
    }
}
