//! `slicebroker-agent`: reads config, starts logging, runs the chosen command.

use clap::Parser;
use slicebroker_agent::config::{Cli, Command, OnOff, ProbeFormat};
use slicebroker_agent::probe::{discover, nvidia_smi};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
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
    let settings = cli.settings()?;
    match cli.command {
        Command::Probe { format } => {
            let backend = settings.open_backend()?;
            match format {
                ProbeFormat::Json => {
                    let discovery = discover(backend.as_ref())?;
                    println!("{}", serde_json::to_string_pretty(&discovery)?);
                }
                ProbeFormat::NvidiaSmi => print!("{}", nvidia_smi(backend.as_ref())?),
            }
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
