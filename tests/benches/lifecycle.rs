//! Figures for the agent path, on this machine, with real processes:
//! 1. one server and one agent with 8 simulated GPUs: the agent's resident memory and idle CPU,
//!    the time from `POST /v1/leases` to `active` (p50/p99 over `LEASES` leases) and from
//!    release to `ended` (the slice destroyed and its capacity free again);
//! 2. two server replicas and three simulated agents with the lifecycle jobs running: the same
//!    two latencies over both replicas, then `CLIENTS` clients looping create → active →
//!    release → ended for `SUSTAIN_SECS`: sustained grants per second, end to end.
//!
//! `cargo build --release --bin slicebroker-server --bin slicebroker-agent` first, then
//! `cargo bench -p slicebroker-e2e --bench lifecycle` (`LEASES=200`, `IDLE_SECS=20`,
//! `CLIENTS=8`, `SUSTAIN_SECS=20` to change the sample). Needs PostgreSQL like the tests.

use serde_json::json;
use slicebroker_testkit::{AgentSpec, Cluster, wait_until};
use std::time::{Duration, Instant};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// (resident KiB, CPU seconds so far) of a process, from /proc.
fn usage(pid: u32) -> (u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime and stime are 14 and 15.
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    (rss, ticks as f64 / 100.0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn summary(name: &str, mut v: Vec<Duration>) {
    v.sort();
    println!(
        "{name}: n={} p50={:.1} ms p99={:.1} ms max={:.1} ms",
        v.len(),
        percentile(&v, 0.5).as_secs_f64() * 1e3,
        percentile(&v, 0.99).as_secs_f64() * 1e3,
        v.last().unwrap().as_secs_f64() * 1e3
    );
}

/// Polls every 2 ms (finer than `wait_until`, which backs off) so the figure is the server's.
async fn until_state(c: &Cluster, token: &str, path: &str, state: &str) {
    let start = Instant::now();
    loop {
        let l = c.api("GET", path, token, None).await;
        if l.success()["state"] == state {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{path} never {state}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// Sequential create → active → release → ended on `c`, spreading over its replicas.
async fn latencies(c: &Cluster, team: &str, leases: u64, replicas: usize) {
    let mut to_active = Vec::new();
    let mut to_ended = Vec::new();
    for i in 0..leases {
        let server = i as usize % replicas;
        let t = Instant::now();
        let r = c
            .api_on(
                server,
                "POST",
                "/v1/leases",
                team,
                Some(&json!({ "profile": "1g.10gb", "duration": "1h" })),
            )
            .await;
        let id = r.success()["id"].as_str().unwrap().to_owned();
        let path = format!("/v1/leases/{id}");
        until_state(c, team, &path, "active").await;
        to_active.push(t.elapsed());
        let t = Instant::now();
        c.api_on(
            server,
            "POST",
            &format!("{path}/release"),
            team,
            Some(&json!({})),
        )
        .await
        .success();
        until_state(c, team, &path, "ended").await;
        to_ended.push(t.elapsed());
    }
    summary("create → active", to_active);
    summary("release → ended (capacity free)", to_ended);
}

async fn wait_hosts(c: &Cluster, n: usize) {
    let admin = c.admin_token().await;
    wait_until(
        Duration::from_secs(60),
        "the agents registered",
        async || {
            let hosts = c.api("GET", "/v1/hosts", &admin, None).await;
            (hosts.success().as_array()?.len() == n).then_some(())
        },
    )
    .await;
}

#[tokio::main]
async fn main() {
    let leases = env_or("LEASES", 200);
    let idle = Duration::from_secs(env_or("IDLE_SECS", 20));
    let clients = env_or("CLIENTS", 8);
    let sustain = Duration::from_secs(env_or("SUSTAIN_SECS", 20));

    println!("== one server, one agent with 8 simulated H100s");
    let mut c = Cluster::start(1).await;
    let agent = c
        .add_agent(AgentSpec {
            host: "bench-node".into(),
            gpus: "h100-80gb:8".into(),
            seed: 7,
        })
        .await;
    wait_hosts(&c, 1).await;
    let pid = c.agent_pid(agent).expect("agent runs");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, cpu0) = usage(pid);
    tokio::time::sleep(idle).await;
    let (rss, cpu1) = usage(pid);
    println!(
        "agent idle {}s: RSS {:.1} MiB, CPU {:.3} % of one core",
        idle.as_secs(),
        rss as f64 / 1024.0,
        (cpu1 - cpu0) / idle.as_secs_f64() * 100.0
    );
    let team = c.tenant("bench", json!(null)).await;
    latencies(&c, &team, leases, 1).await;
    let (rss, _) = usage(pid);
    println!(
        "agent RSS after {leases} leases: {:.1} MiB",
        rss as f64 / 1024.0
    );
    drop(c);

    println!("== two server replicas, three agents (8× H100, 8× H100, 8× A100), jobs running");
    let mut c = Cluster::start(2).await;
    for (i, gpus) in ["h100-80gb:8", "h100-80gb:8", "a100-40gb:8"]
        .iter()
        .enumerate()
    {
        c.add_agent(AgentSpec {
            host: format!("bench-{i}"),
            gpus: (*gpus).into(),
            seed: 100 + i as u64,
        })
        .await;
    }
    wait_hosts(&c, 3).await;
    let team = c.tenant("bench", json!(null)).await;
    latencies(&c, &team, leases, 2).await;

    let start = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..clients {
        let (c, team) = (&c, team.clone());
        tasks.push(async move {
            let mut done = 0u64;
            while start.elapsed() < sustain {
                let server = (i as usize + done as usize) % 2;
                let body = json!({ "profile": "1g.10gb", "duration": "1h" });
                let r = c
                    .api_on(server, "POST", "/v1/leases", &team, Some(&body))
                    .await;
                let id = r.success()["id"].as_str().unwrap().to_owned();
                let path = format!("/v1/leases/{id}");
                until_state(c, &team, &path, "active").await;
                c.api_on(
                    server,
                    "POST",
                    &format!("{path}/release"),
                    &team,
                    Some(&json!({})),
                )
                .await
                .success();
                until_state(c, &team, &path, "ended").await;
                done += 1;
            }
            done
        });
    }
    let total: u64 = futures_join_all(tasks).await.into_iter().sum();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "sustained, {clients} clients: {total} leases through active and ended in {secs:.1} s = {:.1} grants/s",
        total as f64 / secs
    );
}

/// Runs futures concurrently on this task (no extra dependency for `join_all`).
async fn futures_join_all<F: std::future::Future<Output = u64>>(futures: Vec<F>) -> Vec<u64> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut out = vec![None; pinned.len()];
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if out[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => out[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    out.into_iter().map(|v| v.unwrap_or(0)).collect()
}
