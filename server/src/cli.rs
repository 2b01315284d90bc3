//! The command line: `serve` (the default), `migrate`, `admin create-key` to bootstrap, and
//! `openapi` to print the API's document.

use crate::app::{App, keys};
use crate::config::Config;
use crate::{http, store, telemetry};
use anyhow::Context;
use clap::{Parser, Subcommand};
use slicebroker_settings::Flags;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "slicebroker-server", about = "slicebroker's central server")]
pub struct Cli {
    /// TOML config file with any of the settings below; variables (`SLICEBROKER_` + the
    /// setting in upper case) override it, and flags override both.
    #[arg(long, global = true, env = "SLICEBROKER_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub settings: Flags<Config>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending migrations and exit.
    Migrate,
    /// Administrative tasks.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Print the OpenAPI document (needs no configuration or database):
    /// `slicebroker-server openapi > openapi/slicebroker.json`.
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin API key and print it (once).
    CreateKey {
        /// What the key is for.
        #[arg(long, default_value = "admin")]
        name: String,
    },
    /// Print a fresh key suitable for `SLICEBROKER_BOOTSTRAP_ADMIN_KEY` (stores nothing).
    GenerateKey,
    /// Create a one-time agent enrollment token and print it (once).
    Enroll {
        /// A note for admins (`rack 12, node 3`).
        #[arg(long, default_value = "")]
        note: String,
        /// How long it may be used, e.g. `1h` (default 24h, at most 30d).
        #[arg(long)]
        ttl: Option<String>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(Command::Openapi) = cli.command {
        print!("{}", http::openapi::document_json());
        return Ok(());
    }
    let config =
        Config::load(cli.config.as_deref(), &cli.settings).context("invalid configuration")?;
    telemetry::init(&config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("cannot listen on {}", config.listen))?;
            // Read before anything else starts, so a bad certificate stops the server at once.
            let tls = match (&config.tls_cert_file, &config.tls_key_file) {
                (Some(cert), Some(key)) => Some(http::tls::Certificates::load(cert, key)?),
                _ => None,
            };
            let app = App::start(config).await?;
            app.spawn_background();
            let addr = listener.local_addr()?;
            // Installed before serving: from then on a SIGHUP never ends the process.
            let hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
            tokio::spawn(http::reload_on_sighup(hangup, tls.clone()));
            match tls {
                Some(certs) => {
                    tracing::info!(%addr, "serving https");
                    http::serve_tls(listener, &certs, app, http::shutdown_signal()).await?;
                }
                None => {
                    tracing::info!(%addr, "serving");
                    http::serve(listener, app, http::shutdown_signal()).await?;
                }
            }
        }
        Command::Migrate => {
            let db = store::connect(config.database_url.expose(), 1).await?;
            store::migrate(&db).await?;
            println!("migrations applied");
        }
        Command::Admin(AdminCommand::CreateKey { name }) => {
            let app = App::start(config).await?;
            let created = keys::admin_key_create(app.db(), &name).await?;
            println!("{}", created.secret);
            eprintln!(
                "admin key {} created; this is the only time it is shown",
                created.key.id
            );
        }
        Command::Admin(AdminCommand::Enroll { note, ttl }) => {
            let app = App::start(config).await?;
            let req = crate::app::agents::EnrollmentCreate {
                note,
                ttl: ttl.map(crate::app::leases::DurationInput::Text),
            };
            let issued = crate::app::agents::enrollment_create_local(&app, req).await?;
            println!("{}", issued.token);
            eprintln!(
                "enrollment token {} created, valid until {}; this is the only time it is shown",
                issued.id, issued.expires_at
            );
        }
        Command::Admin(AdminCommand::GenerateKey) => {
            println!("{}", crate::domain::api_key::generate().secret);
        }
        Command::Openapi => unreachable!("handled before loading the configuration"),
    }
    Ok(())
}
