//! Figures for the agent path, on this machine, with real processes:
//! - the agent's resident memory and idle CPU with 8 simulated GPUs;
//! - the time from `POST /v1/leases` to `active` with one simulated agent (p50/p99 over N
//!   leases), and from release to `ended`.
//!
//! `cargo bench -p slicebroker-e2e --bench lifecycle` (release build of server and agent;
//! `LEASES=200`, `IDLE_SECS=20` to change the sample). Needs PostgreSQL like the tests.

use serde_json::json;
use slicebroker_e2e::{AgentSpec, Cluster, wait_until};
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
        if l.ok()["state"] == state {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{path} never {state}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::main]
async fn main() {
    let leases = env_or("LEASES", 200);
    let idle = Duration::from_secs(env_or("IDLE_SECS", 20));
    let mut c = Cluster::start(1).await;
    let agent = c
        .add_agent(AgentSpec {
            host: "bench-node".into(),
            gpus: "h100-80gb:8".into(),
            seed: 7,
        })
        .await;
    let admin = c.admin_token().await;
    wait_until("the agent registered", Duration::from_secs(30), || async {
        let hosts = c.api("GET", "/v1/hosts", &admin, None).await;
        (hosts.ok()[0]["gpu_count"] == 8).then_some(())
    })
    .await;
    let pid = c.agent_pid(agent).expect("agent runs");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, cpu0) = usage(pid);
    tokio::time::sleep(idle).await;
    let (rss, cpu1) = usage(pid);
    println!(
        "agent with 8 simulated H100s, idle {}s: RSS {:.1} MiB, CPU {:.3} % of one core",
        idle.as_secs(),
        rss as f64 / 1024.0,
        (cpu1 - cpu0) / idle.as_secs_f64() * 100.0
    );

    let team = c.tenant("bench", json!(null)).await;
    let mut to_active = Vec::new();
    let mut to_ended = Vec::new();
    for _ in 0..leases {
        let t = Instant::now();
        let r = c
            .api(
                "POST",
                "/v1/leases",
                &team,
                Some(&json!({ "profile": "1g.10gb", "duration": "1h" })),
            )
            .await;
        let id = r.ok()["id"].as_str().unwrap().to_owned();
        let path = format!("/v1/leases/{id}");
        until_state(&c, &team, &path, "active").await;
        to_active.push(t.elapsed());
        let t = Instant::now();
        c.api("POST", &format!("{path}/release"), &team, Some(&json!({})))
            .await
            .ok();
        until_state(&c, &team, &path, "ended").await;
        to_ended.push(t.elapsed());
    }
    let (rss, _) = usage(pid);
    summary("create → active", to_active);
    summary("release → ended (capacity free)", to_ended);
    println!(
        "agent RSS after {leases} leases: {:.1} MiB",
        rss as f64 / 1024.0
    );
}
