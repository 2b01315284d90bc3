//! `slicebroker-agent run`: register with the server (or read a desired-config file), then loop:
//! wait for the desired config, run a pass on a blocking thread, report. Errors reaching the
//! server are retried with backoff and never lead to destroying anything; Ctrl-C/SIGTERM stop
//! the loop between passes (a pass in progress is finished) and leave the slices as they are.

use crate::agent::{Agent, PassResult};
use crate::backend::GpuBackend;
use crate::checkpoint::CheckpointStore;
use crate::config::{RunArgs, ServerSettings, Settings, SourceSettings};
use crate::desired::{DesiredSource, FileSource, ServerSource};
use crate::fsutil;
use crate::reconcile::{KillPolicy, error_chain};
use slicebroker_types::agent::{AgentRegister, ReportAck};
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

#[derive(Debug)]
pub struct LoopConfig {
    pub dry_run: bool,
    pub once: bool,
    /// How long to wait for a new desired config before observing again.
    pub interval: Duration,
    pub kill: KillPolicy,
    pub report_file: Option<PathBuf>,
}

/// Runs the agent as configured until stopped (or after one pass with `--once`).
pub fn run(settings: &Settings, args: &RunArgs) -> anyhow::Result<()> {
    let source = settings.source()?;
    let backend: Arc<dyn GpuBackend> = Arc::from(settings.open_backend()?);
    let agent = Agent::new(
        backend.clone(),
        CheckpointStore::new(settings.checkpoint.clone()),
    )?
    .with_kernel_log(settings.open_kernel_log());
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
    runtime.block_on(async move {
        let mut stop = Stop::on_signals()?;
        let source = match source {
            SourceSettings::File(path) => DesiredSource::File(FileSource { path }),
            SourceSettings::Server(server) => {
                match connect(server, backend, config.once, &mut stop).await? {
                    Some(s) => DesiredSource::Server(Box::new(s)),
                    None => return stopping(),
                }
            }
        };
        run_loop(agent, source, config, stop).await
    })
}

/// Registers with the server (enrolling if needed), retrying while it is unreachable. `None`
/// when stopped first.
async fn connect(
    server: ServerSettings,
    backend: Arc<dyn GpuBackend>,
    once: bool,
    stop: &mut Stop,
) -> anyhow::Result<Option<ServerSource>> {
    let driver_version = backend.driver_version();
    let gpus = tokio::task::spawn_blocking(move || backend.gpus()).await??;
    let facts = AgentRegister {
        enrollment_token: None,
        hostname: server.hostname,
        agent_version: env!("CARGO_PKG_VERSION").to_owned(),
        driver_version,
        gpus,
    };
    let mut client = crate::client::connect(&server.url, server.ca_file.clone())?;
    let mut backoff = Backoff::new();
    loop {
        let result = tokio::select! {
            r = server.enrollment.register(&mut client, &facts) => r,
            () = stop.requested() => return Ok(None),
        };
        match result {
            Ok(r) => {
                tracing::info!(
                    server = %client.base(),
                    host = %r.host_name,
                    host_id = %r.host_id,
                    desired_generation = r.desired_generation,
                    "registered"
                );
                return Ok(Some(ServerSource {
                    client,
                    enrollment: server.enrollment,
                    facts,
                }));
            }
            Err(e) if e.is_transient() && !once => {
                let delay = backoff.delay();
                tracing::warn!(retry_in = ?delay, "registering: {}", error_chain(&e));
                if stop.sleep(delay).await {
                    return Ok(None);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Runs passes until `once` is done or `stop` fires.
pub async fn run_loop(
    mut agent: Agent,
    mut source: DesiredSource,
    config: LoopConfig,
    mut stop: Stop,
) -> anyhow::Result<()> {
    let mut backoff = Backoff::new();
    let mut wait = Duration::ZERO;
    loop {
        let fetched = tokio::select! {
            r = source.next(agent.held_generation(), wait) => r,
            () = stop.requested() => return stopping(),
        };
        wait = Duration::ZERO;
        match fetched {
            Ok(next) => {
                agent.offer_desired(next);
            }
            Err(e) if config.once || e.is_fatal() => return Err(e.into()),
            Err(e) => {
                // The last desired config is kept, but no pass runs on it until the source
                // answers again: nothing is destroyed because the server is out of reach.
                let delay = backoff.delay();
                tracing::warn!(retry_in = ?delay, "fetching the desired config: {}", error_chain(&e));
                if stop.sleep(delay).await {
                    return stopping();
                }
                continue;
            }
        }
        let (dry_run, kill) = (config.dry_run, config.kill);
        let (returned, result) = tokio::task::spawn_blocking(move || {
            let result = agent.pass(dry_run, kill);
            (agent, result)
        })
        .await?;
        agent = returned;
        let pass = match result {
            Ok(pass) => pass,
            Err(e) if config.once => return Err(e),
            Err(e) => {
                let delay = backoff.delay();
                tracing::error!(retry_in = ?delay, "reconcile pass failed: {e:#}");
                if stop.sleep(delay).await {
                    return stopping();
                }
                continue;
            }
        };
        log_pass(&pass, dry_run);
        if let Some(path) = &config.report_file {
            fsutil::write_json_atomic(path, &pass.report)?;
        }
        wait = config.interval;
        if dry_run {
            // A dry run tells the server nothing: it applied nothing.
            backoff.reset();
        } else {
            let sent = tokio::select! {
                r = source.report(&pass.report, &pass.gpus) => r,
                () = stop.requested() => return stopping(),
            };
            match sent {
                Ok(ack) => {
                    backoff.reset();
                    // No answer without a server (the report file is the only reader).
                    if ack.as_ref().is_none_or(|a| a.accepted) {
                        agent.report_accepted(&pass.report);
                    }
                    if ack.is_some_and(|a| more_to_do(&a, pass.report.applied_generation)) {
                        wait = Duration::ZERO;
                    }
                }
                Err(e) if config.once || e.is_fatal() => return Err(e.into()),
                Err(e) => tracing::warn!(
                    "sending the observed report: {}; the next pass reports again",
                    error_chain(&e)
                ),
            }
        }
        if config.once {
            return Ok(());
        }
    }
}

/// Whether the server has a newer generation than the one just reported (a report it did not
/// accept is older than one it did, so that means newer too).
pub fn more_to_do(ack: &ReportAck, applied: u64) -> bool {
    !ack.accepted || ack.desired_generation > applied
}

fn stopping() -> anyhow::Result<()> {
    tracing::info!("stopping; slices are left as they are");
    Ok(())
}

fn log_pass(pass: &PassResult, dry_run: bool) {
    for action in &pass.plan.actions {
        if dry_run {
            tracing::info!(?action, "would do (dry run)");
        }
    }
    for u in &pass.plan.unmanaged {
        tracing::debug!(gpu = %u.gpu_uuid, gi = u.gpu_instance_id, placement = %u.placement, "unmanaged instance");
    }
    for c in &pass.plan.conflicts {
        tracing::warn!(gpu = %c.gpu_uuid, lease = %c.lease_id, "cannot make slice: {}", c.reason);
    }
    tracing::info!(
        generation = pass.report.applied_generation,
        actions = pass.plan.actions.len(),
        failed = pass.outcomes.iter().filter(|o| o.error.is_some()).count(),
        "pass done"
    );
}

/// A request to stop: Ctrl-C or SIGTERM, or a test's.
#[derive(Clone, Debug)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// Stops on SIGINT or SIGTERM. The handlers are installed at once, so a signal that comes
    /// during a pass is kept until the loop next looks.
    pub fn on_signals() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let (tx, rx) = watch::channel(false);
        tokio::spawn(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            let _ = tx.send(true);
        });
        Ok(Self(rx))
    }

    /// A stop request sent through the returned sender.
    pub fn manual() -> (watch::Sender<bool>, Self) {
        let (tx, rx) = watch::channel(false);
        (tx, Self(rx))
    }

    /// Resolves once a stop is requested (at once if it already was).
    pub async fn requested(&mut self) {
        if self.0.wait_for(|stop| *stop).await.is_err() {
            // The sender is gone without asking to stop: nothing ever will.
            std::future::pending::<()>().await;
        }
    }

    /// Sleeps for `delay`; `true` if a stop came first.
    pub async fn sleep(&mut self, delay: Duration) -> bool {
        tokio::select! {
            () = tokio::time::sleep(delay) => false,
            () = self.requested() => true,
        }
    }
}

/// Exponential backoff for retries: about 1 s, 2 s, 4 s, … up to 60 s, each ±20% so agents
/// that lost the server together do not all come back at the same instant.
#[derive(Debug)]
pub struct Backoff {
    next: Duration,
}

impl Backoff {
    const FIRST: Duration = Duration::from_secs(1);
    const MAX: Duration = Duration::from_secs(60);

    pub fn new() -> Self {
        Self { next: Self::FIRST }
    }

    pub fn delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        jitter(delay)
    }

    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

/// `delay` scaled by a random factor in [0.8, 1.2).
fn jitter(delay: Duration) -> Duration {
    let random = RandomState::new().hash_one(std::time::SystemTime::now());
    let factor = 0.8 + 0.4 * (random % 1000) as f64 / 1000.0;
    delay.mul_f64(factor)
}

#[cfg(test)]
mod tests;
