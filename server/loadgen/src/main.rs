//! slicebroker-loadgen: concurrent clients that each loop create → release over HTTP, then
//! report grants per second and latency percentiles. The fleet is seeded into the database
//! (hosts without agents), or, with `--agents N`, made of N virtual hosts speaking the agent
//! protocol over HTTP (`agents`). By default it creates a fresh database and runs the server in
//! this process; `--url` (once per replica) drives running servers, whose CPU and memory it
//! reads with `--server-pid`. With `--webhook` it runs twice on the same fleet, a baseline and
//! then a run that delivers a webhook for every grant and release to a receiver in this
//! process (`webhook`), and reports the throughput ratio and delivery latency.

mod agents;
mod setup;
mod stats;
mod system;
mod webhook;

use anyhow::{Context, bail};
use clap::Parser;
use slicebroker_client::{Client, Response, RetryPolicy};
use stats::{Outcome, Report};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Debug, Parser)]
#[command(
    name = "slicebroker-loadgen",
    about = "Load benchmark for slicebroker-server"
)]
struct Args {
    /// PostgreSQL to create the benchmark database in (any database of that server), or with
    /// `--url` the running server's own database, which is seeded in place.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    database_url: String,
    /// Drive these running servers (replicas of one database) instead of starting one (needs
    /// `--admin-key`); clients and agents are spread over them.
    #[arg(long, requires = "admin_key")]
    url: Vec<String>,
    /// The running servers' process ids, to read their CPU time and memory.
    #[arg(long)]
    server_pid: Vec<u32>,
    /// Virtual GPU hosts (8 GPUs each) speaking the agent protocol, instead of a seeded fleet.
    #[arg(long, default_value_t = 0)]
    agents: usize,
    /// Seconds between a virtual agent's reports (its long-poll is held this long).
    #[arg(long, default_value_t = 5)]
    report_interval: u64,
    /// Milliseconds a virtual agent's pass takes between receiving a desired config and
    /// reporting: the real agent's pass on NVML samples GPU activity for 200 ms (GPM) before it
    /// reports, so a host whose config keeps changing reports at most about five times a
    /// second, each report covering every change since the last (MIG operations themselves
    /// are taken as instant, which flatters nothing on the server).
    #[arg(long, default_value_t = 200)]
    pass_ms: u64,
    /// An admin API key of the server given with `--url`.
    #[arg(long)]
    admin_key: Option<String>,
    /// Concurrent clients, each looping create → release.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// Seconds to measure for.
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    /// Seconds of load before measuring starts (connections, caches).
    #[arg(long, default_value_t = 2.0)]
    warmup: f64,
    /// GPUs to seed, alternating h100-80gb and a100-40gb, 8 per host.
    #[arg(long, default_value_t = 1000)]
    gpus: usize,
    /// Tenants the clients are spread over (client i uses tenant i mod this).
    #[arg(long, default_value_t = 32)]
    tenants: usize,
    /// The in-process server's database pool size.
    #[arg(long, default_value_t = 16)]
    pool: u32,
    /// The in-process server's `group_commit_max` (1: every request in its own transaction).
    #[arg(long, default_value_t = 64)]
    group_commit_max: usize,
    /// Measure webhook delivery: a baseline run as usual, then a run of the same length with a
    /// fleet-wide webhook on `granted` and `released` to a receiver in this process; reports
    /// both throughputs, their ratio and the delivery latency from event to receiver. Only
    /// with the in-process server (which then allows loopback webhook targets) and a seeded
    /// fleet.
    #[arg(long, conflicts_with_all = ["url", "agents"])]
    webhook: bool,
    /// Keep the benchmark database afterwards.
    #[arg(long)]
    keep_database: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if args.clients == 0 || args.tenants == 0 || args.gpus == 0 {
        bail!("--clients, --tenants and --gpus must be at least 1");
    }
    let target = match args.url.first() {
        Some(url) => setup::Target::remote(url, &args.database_url, args.admin_key.as_deref())
            .await
            .context("connecting to the server's database")?,
        None => setup::Target::in_process(
            &args.database_url,
            args.pool,
            args.group_commit_max,
            args.webhook,
        )
        .await
        .context("starting the server in process")?,
    };
    let urls = if args.url.is_empty() {
        vec![target.base_url.clone()]
    } else {
        args.url.clone()
    };
    // Each request is sent once: a retry would hide the failure the benchmark is to count.
    let clients: Vec<Client> = urls
        .iter()
        .map(|u| {
            Client::builder(u)
                .retry(RetryPolicy::none())
                .pool_max_idle_per_host(4096)
                .request_timeout(Duration::from_secs(30))
                .build()
        })
        .collect::<Result<_, _>>()?;
    let client = clients[0].clone();
    let tokens = setup::tenants(&client, &target.admin_key, args.tenants).await?;
    let mut hosts = Vec::new();
    if args.agents == 0 {
        let models = setup::seed_fleet(&target.db, args.gpus).await?;
        target.refresh().await?;
        eprintln!("seeded {} GPUs ({models})", args.gpus);
    } else {
        let admin = setup::admin_token(&client, &target.admin_key).await?;
        let run = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
        let t = Instant::now();
        hosts = agents::enroll(&clients, &admin, &run, args.agents).await?;
        eprintln!(
            "enrolled {} virtual hosts ({} GPUs) in {:.1}s",
            args.agents,
            args.agents * agents::GPUS_PER_HOST as usize,
            t.elapsed().as_secs_f64()
        );
        // Every replica's placement index sees the registered GPUs at its next refresh.
        target.refresh().await?;
    }
    eprintln!(
        "{} tenants; warming up for {}s, then measuring for {}s",
        args.tenants, args.warmup, args.seconds
    );

    // With --webhook: the baseline first, then the webhook registered for the measured run.
    let mut baseline = None;
    let mut receiver = None;
    if args.webhook {
        let start = Instant::now();
        let measure_from = start + Duration::from_secs_f64(args.warmup);
        let until = measure_from + Duration::from_secs_f64(args.seconds);
        let mut outcomes = Vec::new();
        for t in spawn_clients(&args, &clients, &tokens, measure_from, until) {
            outcomes.extend(t.await?);
        }
        baseline = Some(Report::new(&outcomes, args.seconds));
        let (r, url) = webhook::Receiver::start().await?;
        let admin = setup::admin_token(&client, &target.admin_key).await?;
        webhook::register(&client, &admin, &url).await?;
        receiver = Some(r);
        eprintln!("baseline done; webhook registered, warming up and measuring again");
    }

    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let until = measure_from + Duration::from_secs_f64(args.seconds);
    let wall_from = chrono::Utc::now() + chrono::Duration::from_std(measure_from - start)?;
    let wall_until = wall_from + chrono::Duration::from_std(until - measure_from)?;
    let agent_samples = Arc::new(Mutex::new(agents::AgentSamples::default()));
    let mut agent_tasks = Vec::new();
    let interval = Duration::from_secs(args.report_interval);
    for host in hosts {
        let samples = agent_samples.clone();
        agent_tasks.push(tokio::spawn(host.run(
            interval,
            Duration::from_millis(args.pass_ms),
            measure_from,
            until,
            samples,
        )));
    }
    let tasks = spawn_clients(&args, &clients, &tokens, measure_from, until);
    tokio::time::sleep_until(measure_from.into()).await;
    let before = system::Snapshot::take(&target.db, &args.server_pid).await?;
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.extend(t.await?);
    }
    let after = system::Snapshot::take(&target.db, &args.server_pid).await?;
    for t in agent_tasks {
        t.await?;
    }
    let elapsed = args.seconds;
    let report = Report::new(&outcomes, elapsed);
    println!(
        "slicebroker load benchmark: {} clients x create+release for {:.0}s, {}, {} tenants, {}",
        args.clients,
        args.seconds,
        if args.agents > 0 {
            format!(
                "{} virtual hosts x {} GPUs reporting every {}s (passes of {} ms)",
                args.agents,
                agents::GPUS_PER_HOST,
                args.report_interval,
                args.pass_ms
            )
        } else {
            format!("{} seeded GPUs", args.gpus)
        },
        args.tenants,
        if args.url.is_empty() {
            format!("server in process, pool {}", args.pool)
        } else {
            format!("{} server process(es)", args.url.len())
        }
    );
    print!("{report}");
    if let (Some(baseline), Some(receiver)) = (&baseline, &receiver) {
        let drained = webhook::drain(&target.db, Duration::from_secs(60)).await?;
        print!("without the webhook (baseline, same fleet, run first):\n{baseline}");
        println!(
            "throughput with the webhook / without: {:.3}",
            report.grants_per_second() / baseline.grants_per_second()
        );
        print!("{}", receiver.summary(wall_from, wall_until));
        println!(
            "outbox drained {:.1}s after the load stopped ({} deliveries received)",
            drained.as_secs_f64(),
            receiver.received()
        );
    }
    if args.agents > 0 {
        let s = agent_samples.lock().await;
        print!("{}", stats::agent_summary(&s.reports, &s.polls, elapsed));
    }
    print!("{}", system::Snapshot::summary(&before, &after, elapsed));
    match client.get("/metrics").send().await {
        Ok(metrics) => print!("{}", group_commit_summary(&metrics.text())),
        Err(e) => eprintln!("could not read /metrics: {e}"),
    }
    target.finish(args.keep_database).await?;
    Ok(())
}

/// What the server's group-commit counters say, warm-up included: requests per transaction
/// and how many ran alone, for creates and for releases.
fn group_commit_summary(metrics: &str) -> String {
    let value = |name: &str, kind: &str| -> f64 {
        let prefix = format!("slicebroker_group_commit_{name}_total{{kind=\"{kind}\"}} ");
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0)
    };
    let mut out = String::new();
    for (kind, label) in [("create", "creates"), ("end", "releases")] {
        let (batches, requests, alone) = (
            value("batches", kind),
            value("requests", kind),
            value("alone", kind),
        );
        if batches > 0.0 {
            out += &format!(
                "group commit, {label}: {requests:.0} in {batches:.0} transactions \
                 ({:.1} a transaction), {alone:.0} sent to run alone\n",
                requests / batches
            );
        } else {
            out += &format!("group commit, {label}: off\n");
        }
    }
    out
}

/// One task per client, each looping create → release until `until`.
fn spawn_clients(
    args: &Args,
    clients: &[Client],
    tokens: &[String],
    measure_from: Instant,
    until: Instant,
) -> Vec<tokio::task::JoinHandle<Vec<Outcome>>> {
    (0..args.clients)
        .map(|i| {
            let client = clients[i % clients.len()].clone();
            let token = tokens[i % tokens.len()].clone();
            tokio::spawn(async move { run_client(&client, &token, i, measure_from, until).await })
        })
        .collect()
}

/// Loops create → release until `until`; returns what happened after `measure_from`.
async fn run_client(
    client: &Client,
    token: &str,
    i: usize,
    measure_from: Instant,
    until: Instant,
) -> Vec<Outcome> {
    const SIZES: [&str; 3] = ["1g", "2g", "3g"];
    let mut out = Vec::new();
    let mut n = i;
    while Instant::now() < until {
        n += 1;
        let body = format!(
            r#"{{"profile":"{}","duration":"1h"}}"#,
            SIZES[n % SIZES.len()]
        );
        let t0 = Instant::now();
        let created = client
            .post("/v1/leases")
            .bearer(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await;
        let create = Outcome::create(t0, &created);
        let measured = t0 >= measure_from;
        let lease = created
            .ok()
            .filter(|r| r.status == 201)
            .and_then(|r| id(&r));
        if measured {
            out.push(create);
        }
        let Some(id) = lease else {
            continue;
        };
        let t1 = Instant::now();
        let released = client
            .post(&format!("/v1/leases/{id}/release"))
            .bearer(token)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await;
        if measured {
            out.push(Outcome::release(t1, &released));
        }
    }
    out
}

/// The `id` of a JSON answer.
fn id(r: &Response) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(&r.body).ok()?;
    body["id"].as_str().map(str::to_owned)
}
