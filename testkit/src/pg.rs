//! A private PostgreSQL (own data directory and port) for scenarios that stop and restart the
//! database, so the shared server the other tests use is never disturbed.

use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug)]
pub struct PrivatePg {
    bin: PathBuf,
    data: PathBuf,
    pub port: u16,
}

fn pg_bin() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop()
        .or_else(|| {
            let out = Command::new("sh")
                .args(["-c", "command -v initdb"])
                .output()
                .ok()?;
            let path = String::from_utf8(out.stdout).ok()?;
            Path::new(path.trim()).parent().map(Path::to_path_buf)
        })
        .expect("PostgreSQL's initdb is installed")
}

/// Runs a PostgreSQL tool, as the `postgres` user when we are root (it refuses to run as root).
fn run(tool: &Path, args: &[&str]) -> std::process::Output {
    let root = is_root();
    let mut cmd = if root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(tool);
        c
    } else {
        Command::new(tool)
    };
    cmd.args(args).output().expect("PostgreSQL tool runs")
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .map(|u| u.split_whitespace().next() == Some("0"))
        })
        .unwrap_or(false)
}

impl PrivatePg {
    pub fn start(dir: &Path) -> PrivatePg {
        let data = dir.join("pg");
        std::fs::create_dir_all(&data).unwrap();
        if is_root() {
            // PostgreSQL refuses to run as root; make its user if the package did not.
            let has_user = Command::new("id")
                .arg("postgres")
                .output()
                .is_ok_and(|o| o.status.success());
            if !has_user {
                let _ = Command::new("useradd")
                    .args([
                        "--system",
                        "--no-create-home",
                        "--shell",
                        "/usr/sbin/nologin",
                    ])
                    .arg("postgres")
                    .status();
            }
            let ok = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir)
                .status()
                .is_ok_and(|s| s.success());
            assert!(ok, "chown the private database directory to postgres");
        }
        let bin = pg_bin();
        let out = run(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let pg = PrivatePg { bin, data, port };
        pg.up();
        pg
    }

    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// Starts the server (again) and waits until it accepts connections.
    pub fn up(&self) {
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k /tmp -c fsync=off -c max_connections=200",
            self.port
        );
        let log = self.data.with_file_name("pg.log");
        let out = run(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-l",
                log.to_str().unwrap(),
                "-w",
                "-t",
                "60",
                "-o",
                &opts,
                "start",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Stops it (fast: open connections are cut).
    pub fn down(&self) {
        let out = run(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl stop: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PrivatePg {
    fn drop(&mut self) {
        let _ = run(
            &self.bin.join("pg_ctl"),
            &[
                "-D",
                self.data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}
