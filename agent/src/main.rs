//! `slicebroker-agent`: reads config, starts logging, runs the chosen command.

use clap::Parser;
use slicebroker_agent::config::{Cli, Command, OnOff, Settings};
use slicebroker_agent::probe::discover;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .init();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let file = match &cli.config {
        Some(path) => Settings::from_file(path)?,
        None => Settings::default(),
    };
    let settings = cli.settings.merge(file);
    match cli.command {
        Command::Probe => {
            let discovery = discover(settings.open_backend()?.as_ref())?;
            println!("{}", serde_json::to_string_pretty(&discovery)?);
        }
        Command::MigMode { gpu, mode } => {
            let change = settings
                .open_backend()?
                .set_mig_mode(&gpu, mode == OnOff::On)?;
            println!("{}", serde_json::to_string_pretty(&change)?);
        }
        Command::Run(args) => slicebroker_agent::run::run(&settings, &args)?,
        Command::Sim(command) => {
            let out = command.run(&settings.open_sim()?)?;
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
    }
    Ok(())
}
