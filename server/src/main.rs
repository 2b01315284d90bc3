//! Entry point: parse the command line and hand over to the library.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    slicebroker_server::cli::run(slicebroker_server::cli::Cli::parse()).await
}
