//! What the run cost: the server processes' CPU time and memory (from `/proc`), and
//! PostgreSQL's commits, rows written and WAL written (from its statistics views).

use std::fmt::Write;

/// Counters read at one moment.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// Per server process: CPU seconds (user + system) so far, resident and peak memory (KiB).
    servers: Vec<(u32, f64, u64, u64)>,
    commits: i64,
    rows_written: i64,
    wal_bytes: i64,
}

impl Snapshot {
    pub async fn take(db: &sqlx::PgPool, pids: &[u32]) -> anyhow::Result<Self> {
        let (commits, rows_written): (i64, i64) = sqlx::query_as(
            "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted
             FROM pg_stat_database WHERE datname = current_database()",
        )
        .fetch_one(db)
        .await?;
        let wal_bytes: i64 = sqlx::query_scalar("SELECT wal_bytes::bigint FROM pg_stat_wal")
            .fetch_one(db)
            .await
            .unwrap_or(0);
        let servers = pids
            .iter()
            .filter_map(|pid| {
                Some((
                    *pid,
                    cpu_seconds(*pid)?,
                    memory_kib(*pid, "VmRSS")?,
                    memory_kib(*pid, "VmHWM")?,
                ))
            })
            .collect();
        Ok(Self {
            servers,
            commits,
            rows_written,
            wal_bytes,
        })
    }

    /// The difference between two snapshots over `seconds`, as report lines.
    pub fn summary(before: &Self, after: &Self, seconds: f64) -> String {
        let mut out = String::new();
        for (pid, cpu, rss, peak) in &after.servers {
            let start = before
                .servers
                .iter()
                .find(|(p, ..)| p == pid)
                .map_or(0.0, |s| s.1);
            let _ = writeln!(
                out,
                "server pid {pid}: CPU {:.0}% of one core, RSS {:.0} MiB (peak {:.0} MiB)",
                100.0 * (cpu - start) / seconds,
                *rss as f64 / 1024.0,
                *peak as f64 / 1024.0
            );
        }
        let per_s = |a: i64, b: i64| (a - b) as f64 / seconds;
        let _ = writeln!(
            out,
            "postgres: {:.0} commits/s, {:.0} rows written/s, {:.1} MiB WAL/s",
            per_s(after.commits, before.commits),
            per_s(after.rows_written, before.rows_written),
            per_s(after.wal_bytes, before.wal_bytes) / (1024.0 * 1024.0)
        );
        out
    }
}

/// User + system CPU seconds of a process so far (`/proc/PID/stat` fields 14 and 15).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are space-separated.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / clock_ticks() as f64)
}

/// Clock ticks per second (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
fn clock_ticks() -> u64 {
    rustix::param::clock_ticks_per_second()
}

fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
