//! slicebroker-loadgen: concurrent clients that each loop create → release over HTTP against a
//! seeded fleet, then report grants per second and latency percentiles. By default it creates
//! a fresh database and runs the server in this process; `--url` drives a running server.

mod setup;
mod stats;

use anyhow::{Context, bail};
use clap::Parser;
use slicebroker_client::{Client, Response, RetryPolicy};
use stats::{Outcome, Report};
use std::time::{Duration, Instant};

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
    /// Drive this running server instead of starting one (needs `--admin-key`).
    #[arg(long, requires = "admin_key")]
    url: Option<String>,
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
    let target = match &args.url {
        Some(url) => setup::Target::remote(url, &args.database_url, args.admin_key.as_deref())
            .await
            .context("connecting to the server's database")?,
        None => setup::Target::in_process(&args.database_url, args.pool, args.group_commit_max)
            .await
            .context("starting the server in process")?,
    };
    // Each request is sent once: a retry would hide the failure the benchmark is to count.
    let client = Client::builder(&target.base_url)
        .retry(RetryPolicy::none())
        .pool_max_idle_per_host(1024)
        .build()?;
    let models = setup::seed_fleet(&target.db, args.gpus).await?;
    target.refresh().await?;
    let tokens = setup::tenants(&client, &target.admin_key, args.tenants).await?;
    eprintln!(
        "seeded {} GPUs ({models}) and {} tenants; warming up for {}s",
        args.gpus, args.tenants, args.warmup
    );

    let start = Instant::now();
    let measure_from = start + Duration::from_secs_f64(args.warmup);
    let until = measure_from + Duration::from_secs_f64(args.seconds);
    let mut tasks = Vec::new();
    for i in 0..args.clients {
        let client = client.clone();
        let token = tokens[i % tokens.len()].clone();
        tasks.push(tokio::spawn(async move {
            run_client(&client, &token, i, measure_from, until).await
        }));
    }
    let mut outcomes = Vec::new();
    for t in tasks {
        outcomes.extend(t.await?);
    }
    let elapsed = args.seconds;
    let report = Report::new(&outcomes, elapsed);
    println!(
        "slicebroker load benchmark: {} clients x create+release for {:.0}s, {} GPUs, {} tenants, \
         server pool {}",
        args.clients,
        args.seconds,
        args.gpus,
        args.tenants,
        if args.url.is_some() {
            "(remote)".to_owned()
        } else {
            args.pool.to_string()
        }
    );
    print!("{report}");
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
