//! Logging: `tracing` with a filter from config, as human-readable lines or JSON.

use crate::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber (once; later calls are ignored, which suits tests). Logs go
/// to stderr, so that what a command prints on stdout (a key, a token, the OpenAPI document)
/// is only that; in colour only when stderr is a terminal.
pub fn init(config: &Config) {
    use std::io::IsTerminal;
    // `Config` checked the filter.
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
}
