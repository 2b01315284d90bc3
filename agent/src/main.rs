//! `slicebroker-agent`: reads config, starts logging, runs the chosen command.

use anyhow::Context;
use clap::Parser;
use slicebroker_agent::agent::{Agent, LoopConfig, run_loop};
use slicebroker_agent::checkpoint::CheckpointStore;
use slicebroker_agent::config::{Cli, Command, OnOff, Settings};
use slicebroker_agent::desired::FileSource;
use slicebroker_agent::probe::discover;
use std::process::ExitCode;
use std::sync::Arc;

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
    let backend = settings.open_backend()?;
    match cli.command {
        Command::Probe => {
            let discovery = discover(backend.as_ref())?;
            println!("{}", serde_json::to_string_pretty(&discovery)?);
        }
        Command::MigMode { gpu, mode } => {
            let change = backend.set_mig_mode(&gpu, mode == OnOff::On)?;
            println!("{}", serde_json::to_string_pretty(&change)?);
        }
        Command::Run(args) => {
            let desired_file = settings.desired_file.clone().context(
                "`run` needs `--desired-file` until the server's agent endpoints are wired",
            )?;
            let agent = Agent::new(
                Arc::from(backend),
                CheckpointStore::new(settings.checkpoint.clone()),
            )?;
            let config = LoopConfig {
                dry_run: args.dry_run,
                once: args.once,
                interval: settings.interval(),
                kill: settings.kill_policy(),
                report_file: settings.report_file.clone(),
            };
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(run_loop(
                agent,
                Box::new(FileSource { path: desired_file }),
                config,
            ))?;
        }
    }
    Ok(())
}
