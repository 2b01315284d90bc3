//! The processes of an end-to-end cluster: server replicas and agents (on simulated GPUs,
//! or on the NVML backend against the stand-in NVML library), each with its own port or
//! state directory, the fresh database they share, and (with `tls`) a test CA whose
//! certificate the servers present and the agents trust.

use crate::http::{Http, Resp};
use crate::tls::TestCa;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::process::{Child, Command};

/// The workspace binaries under test (`slicebroker-server`, `slicebroker-agent`, `slicectl`),
/// built if a lone `cargo test -p slicebroker-e2e` has not.
pub fn bin(name: &str) -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        let exe = std::env::current_exe().expect("test binary path");
        // target/<profile>/deps/<test>, or target/<profile>/<bin> for the demo.
        let mut dir = exe.parent().expect("binary in a directory").to_path_buf();
        if dir.ends_with("deps") {
            dir.pop();
        }
        let missing = ["slicebroker-server", "slicebroker-agent", "slicectl"]
            .iter()
            .any(|b| !dir.join(b).exists());
        if missing {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut build = std::process::Command::new(cargo);
            // From the workspace, whatever directory the test runs in.
            build.current_dir(env!("CARGO_MANIFEST_DIR")).args([
                "build",
                "--workspace",
                "--bin",
                "slicebroker-server",
                "--bin",
                "slicebroker-agent",
                "--bin",
                "slicectl",
            ]);
            if dir.ends_with("release") {
                build.arg("--release");
            }
            let status = build
                .env("SQLX_OFFLINE", "true")
                .status()
                .expect("cargo runs");
            assert!(
                status.success(),
                "building the binaries failed; build them first: cargo build --bins"
            );
        }
        dir
    });
    dir.join(name)
}

fn path(p: &Path) -> String {
    p.display().to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A child process with its log file.
#[derive(Debug)]
struct Proc {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Proc {
    fn spawn(name: String, cmd: &mut Command, log: PathBuf) -> Proc {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("log file");
        let child = cmd
            .stdout(Stdio::from(file.try_clone().unwrap()))
            .stderr(Stdio::from(file))
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        Proc { name, child, log }
    }

    fn pid(&self) -> Option<u32> {
        self.child.id()
    }
}

/// Which backend an agent process runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Sim,
    /// `--backend nvml` against the stand-in NVML library.
    NvmlStub,
}

/// An agent: its host name, GPUs and the directory that keeps its state.
#[derive(Clone, Debug)]
pub struct AgentSpec {
    pub host: String,
    /// `--sim-gpus`, e.g. `h100-80gb:2`; for an NVML agent the stand-in's boards, same syntax.
    pub gpus: String,
    pub seed: u64,
}

#[derive(Debug)]
pub struct Cluster {
    pub db_url: String,
    pub pool: sqlx::PgPool,
    pub admin_key: String,
    /// A client of the servers (trusting the test CA with `tls`).
    pub client: Http,
    pub dir: PathBuf,
    /// With `tls`: the CA and the file of its certificate (what `--ca-file` takes).
    pub ca: Option<(TestCa, PathBuf)>,
    log_filter: String,
    server_env: Vec<(String, String)>,
    servers: Vec<(String, Option<Proc>)>,
    agents: Vec<(AgentSpec, Backend, Option<Proc>)>,
    /// Agents that reach the servers at another address (`add_agent_through`).
    agent_server: std::collections::BTreeMap<usize, String>,
    /// The directory removed when a passing test drops the cluster; last, so it goes after
    /// the processes that write in it are killed.
    temp: Option<tempfile::TempDir>,
}

/// Where a cluster keeps its state: a fresh database and a temporary directory removed after a
/// passing test, or (the demo) a given database and directory that outlive it.
#[derive(Clone, Debug, Default)]
pub struct ClusterOptions {
    /// Use this database instead of creating a fresh one.
    pub database_url: Option<String>,
    /// Keep state here instead of a temporary directory.
    pub dir: Option<PathBuf>,
    /// Ports for the server replicas; 0 or missing picks a free one.
    pub ports: Vec<u16>,
    pub admin_key: Option<String>,
    pub log_filter: Option<String>,
    /// Extra `SLICEBROKER_*` settings for every server replica.
    pub server_env: Vec<(String, String)>,
    /// Servers serve https with a certificate from a CA made for the cluster, which agents
    /// are given with `--ca-file`.
    pub tls: bool,
}

impl Cluster {
    /// A fresh database and `servers` server replicas, ready.
    pub async fn start(servers: usize) -> Cluster {
        Self::start_with(servers, ClusterOptions::default()).await
    }

    pub async fn start_with(servers: usize, opts: ClusterOptions) -> Cluster {
        let db_url = match opts.database_url {
            Some(url) => url,
            None => crate::fresh_database().await,
        };
        let (dir, temp) = match opts.dir {
            Some(dir) => (dir, None),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("slicebroker-e2e-")
                    .tempdir()
                    .expect("a temporary directory");
                (temp.path().to_owned(), Some(temp))
            }
        };
        std::fs::create_dir_all(&dir).unwrap();
        let mut server_env = opts.server_env;
        let ca = opts.tls.then(|| {
            let ca = TestCa::new("slicebroker e2e CA");
            let files = ca.write_server_files(&dir);
            server_env.push(("SLICEBROKER_TLS_CERT_FILE".into(), path(&files.cert)));
            server_env.push(("SLICEBROKER_TLS_KEY_FILE".into(), path(&files.key)));
            let file = ca.write_ca(&dir.join("ca.pem"));
            (ca, file)
        });
        let scheme = if opts.tls { "https" } else { "http" };
        let ports: Vec<u16> = (0..servers)
            .map(|i| match opts.ports.get(i) {
                Some(&p) if p != 0 => p,
                _ => free_port(),
            })
            .collect();
        let urls: Vec<String> = ports
            .iter()
            .map(|p| format!("{scheme}://127.0.0.1:{p}"))
            .collect();
        let secret = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let base = urls.first().map_or("http://127.0.0.1:1", String::as_str);
        let mut cluster = Cluster {
            pool: sqlx::PgPool::connect(&db_url).await.expect("test database"),
            db_url,
            admin_key: opts
                .admin_key
                .unwrap_or_else(|| format!("sbk_{}", &secret[..43])),
            client: Http::new(base, ca.as_ref().map(|(_, f)| f.clone())),
            dir,
            temp,
            ca,
            log_filter: opts.log_filter.unwrap_or_else(|| "info".into()),
            server_env,
            servers: Vec::new(),
            agents: Vec::new(),
            agent_server: Default::default(),
        };
        for (i, url) in urls.into_iter().enumerate() {
            cluster.servers.push((url, None));
            cluster.start_server(i).await;
        }
        cluster
    }

    /// The file of the test CA's certificate, with `tls`.
    pub fn ca_file(&self) -> Option<&Path> {
        self.ca.as_ref().map(|(_, f)| f.as_path())
    }

    pub fn server_url(&self, i: usize) -> &str {
        &self.servers[i].0
    }

    /// (Re)starts server `i` on its port and waits until it is ready.
    pub async fn start_server(&mut self, i: usize) {
        let url = self.servers[i].0.clone();
        let listen = url.split_once("://").expect("a URL").1.to_owned();
        let proc = Proc::spawn(
            format!("server-{i}"),
            Command::new(bin("slicebroker-server"))
                .env("SLICEBROKER_LISTEN", &listen)
                .env("SLICEBROKER_DATABASE_URL", &self.db_url)
                .env("SLICEBROKER_BOOTSTRAP_ADMIN_KEY", &self.admin_key)
                .env("SLICEBROKER_LOG_FILTER", &self.log_filter)
                .env("SLICEBROKER_LOG_FORMAT", "pretty")
                .envs(self.server_env.iter().map(|(k, v)| (k, v))),
            self.dir.join(format!("server-{i}.log")),
        );
        self.servers[i].1 = Some(proc);
        let ready = format!("{url}/readyz");
        crate::wait_until(
            Duration::from_secs(30),
            &format!("server {i} ready"),
            async || match self.client.try_request("GET", &ready, None, None).await {
                Ok(r) if r.status == 200 => Ok(()),
                Ok(r) => Err(format!("{} {}", r.status, r.text)),
                Err(e) => Err(e),
            },
        )
        .await;
    }

    pub fn server_pid(&self, i: usize) -> Option<u32> {
        self.servers[i].1.as_ref().and_then(Proc::pid)
    }

    /// Sends server `i` SIGHUP (it reads its TLS certificate and key again).
    pub fn hangup_server(&self, i: usize) {
        let pid = self.server_pid(i).expect("server running");
        let pid = rustix::process::Pid::from_raw(pid as i32).expect("a pid");
        rustix::process::kill_process(pid, rustix::process::Signal::HUP).expect("SIGHUP sent");
    }

    /// Kills server `i` with SIGKILL.
    pub async fn kill_server(&mut self, i: usize) {
        if let Some(mut p) = self.servers[i].1.take() {
            let _ = p.child.kill().await;
        }
    }

    /// A call to the API of server 0.
    pub async fn api(&self, method: &str, path: &str, token: &str, body: Option<&Value>) -> Resp {
        self.api_on(0, method, path, token, body).await
    }

    pub async fn api_on(
        &self,
        server: usize,
        method: &str,
        path: &str,
        token: &str,
        body: Option<&Value>,
    ) -> Resp {
        let url = format!("{}{path}", self.server_url(server));
        self.client.request(method, &url, Some(token), body).await
    }

    pub async fn token(&self, api_key: &str) -> String {
        let url = format!("{}/v1/auth/token", self.server_url(0));
        let r = self
            .client
            .request("POST", &url, None, Some(&json!({ "api_key": api_key })))
            .await;
        r.success()["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.token(&self.admin_key).await
    }

    /// A tenant with `policy` (or the default) and a member token.
    pub async fn tenant(&self, name: &str, policy: Value) -> String {
        let admin = self.admin_token().await;
        let mut body = json!({ "name": name });
        if !policy.is_null() {
            body["policy"] = policy;
        }
        let t = self.api("POST", "/v1/tenants", &admin, Some(&body)).await;
        let id = t.success()["id"].as_str().unwrap().to_owned();
        let key = self
            .api(
                "POST",
                &format!("/v1/tenants/{id}/api-keys"),
                &admin,
                Some(&json!({ "name": "e2e", "role": "member" })),
            )
            .await;
        self.token(key.success()["secret"].as_str().unwrap()).await
    }

    fn agent_dir(&self, i: usize) -> PathBuf {
        self.dir.join(&self.agents[i].0.host)
    }

    pub fn agent_log(&self, i: usize) -> PathBuf {
        self.agent_dir(i).join("agent.log")
    }

    pub fn server_log(&self, i: usize) -> PathBuf {
        self.dir.join(format!("server-{i}.log"))
    }

    /// Enrolls and starts a simulated agent; returns its index.
    pub async fn add_agent(&mut self, spec: AgentSpec) -> usize {
        self.push_agent(spec, Backend::Sim).await
    }

    /// Enrolls and starts a simulated agent that reaches the server at `url` (a link in
    /// front of server 0 that can fail on demand, say); returns its index.
    pub async fn add_agent_through(&mut self, spec: AgentSpec, url: &str) -> usize {
        self.agent_server.insert(self.agents.len(), url.to_owned());
        self.push_agent(spec, Backend::Sim).await
    }

    /// Enrolls and starts an agent on the NVML backend, its `libnvidia-ml.so.1` the stand-in
    /// library with the boards of `spec.gpus` (`h100-80gb:2,a100-40gb`); returns its index.
    pub async fn add_nvml_agent(&mut self, spec: AgentSpec) -> usize {
        self.push_agent(spec, Backend::NvmlStub).await
    }

    async fn push_agent(&mut self, spec: AgentSpec, backend: Backend) -> usize {
        self.agents.push((spec, backend, None));
        let i = self.agents.len() - 1;
        let dir = self.agent_dir(i);
        std::fs::create_dir_all(&dir).unwrap();
        if backend == Backend::NvmlStub {
            let spec = &self.agents[i].0;
            crate::nvml::install_host(&dir, &spec.gpus, spec.seed);
        }
        self.start_agent(i).await;
        i
    }

    /// The stand-in NVML host of agent `i` (an NVML agent): the state file its library reads.
    pub fn nvml_state(&self, i: usize) -> PathBuf {
        assert_eq!(
            self.agents[i].1,
            Backend::NvmlStub,
            "agent {i} is not an NVML agent"
        );
        crate::nvml::state_file(&self.agent_dir(i))
    }

    /// Raises XID `xid` on GPU `gpu_index` of NVML agent `i`'s stand-in host, as the driver
    /// does ([`crate::nvml::raise_xid`]).
    pub fn nvml_raise_xid(&self, i: usize, gpu_index: usize, xid: crate::nvml::Xid) {
        let _ = self.nvml_state(i);
        crate::nvml::raise_xid(&self.agent_dir(i), gpu_index, xid);
    }

    /// Agent `i`'s checkpoint file.
    pub fn agent_checkpoint(&self, i: usize) -> PathBuf {
        self.agent_dir(i).join("checkpoint.json")
    }

    /// (Re)starts agent `i`: enrolls with a fresh token the first time, after that its stored
    /// credential is used.
    pub async fn start_agent(&mut self, i: usize) {
        let credential = self.agent_dir(i).join("credential");
        let token = if credential.exists() {
            None
        } else {
            let admin = self.admin_token().await;
            let r = self
                .api(
                    "POST",
                    "/v1/enrollment-tokens",
                    &admin,
                    Some(&json!({ "ttl": "1h" })),
                )
                .await;
            Some(r.success()["token"].as_str().unwrap().to_owned())
        };
        let dir = self.agent_dir(i);
        let spec = self.agents[i].0.clone();
        let server = match self.agent_server.get(&i) {
            Some(url) => url.clone(),
            None => self.server_url(i % self.servers.len()).to_owned(),
        };
        let mut cmd = self.agent_command(i);
        cmd.arg("--checkpoint")
            .arg(self.agent_checkpoint(i))
            .args(["run", "--server", &server, "--hostname", &spec.host])
            .arg("--credential-file")
            .arg(dir.join("credential"))
            .args(["--interval", "1s", "--kill-grace", "1s"])
            .env("RUST_LOG", &self.log_filter);
        if let Some(ca_file) = self.ca_file() {
            cmd.arg("--ca-file").arg(ca_file);
        }
        if let Some(token) = token {
            cmd.env("SLICEBROKER_AGENT_ENROLLMENT_TOKEN", token);
        }
        let proc = Proc::spawn(
            format!("agent-{}", spec.host),
            &mut cmd,
            dir.join("agent.log"),
        );
        self.agents[i].2 = Some(proc);
    }

    /// `slicebroker-agent` with agent `i`'s backend: the simulator and its state file, or NVML
    /// loaded the way it is on a GPU host (`libnvidia-ml.so.1` found on the library path), the
    /// stand-in's state file named by its environment variable.
    fn agent_command(&self, i: usize) -> Command {
        let (spec, backend, _) = &self.agents[i];
        let dir = self.agent_dir(i);
        let mut cmd = Command::new(bin("slicebroker-agent"));
        match backend {
            Backend::Sim => {
                cmd.args(["--backend", "sim", "--sim-gpus", &spec.gpus])
                    .args(["--sim-seed", &spec.seed.to_string()])
                    .arg("--sim-state")
                    .arg(dir.join("sim.json"));
            }
            Backend::NvmlStub => {
                cmd.args(["--backend", "nvml"])
                    .arg("--kernel-log")
                    .arg(crate::nvml::kernel_log(&dir))
                    .env("LD_LIBRARY_PATH", crate::nvml::library_dir(&dir))
                    .env(crate::nvml::STATE_ENV, crate::nvml::state_file(&dir));
            }
        }
        cmd
    }

    /// Kills agent `i` with SIGKILL (its state directory stays).
    pub async fn kill_agent(&mut self, i: usize) {
        if let Some(mut p) = self.agents[i].2.take() {
            let _ = p.child.kill().await;
        }
    }

    pub fn agent_pid(&self, i: usize) -> Option<u32> {
        self.agents[i].2.as_ref().and_then(Proc::pid)
    }

    /// Runs `slicebroker-agent <backend args> <args>` for agent `i`'s host and returns its JSON
    /// output (`probe` on either backend; workloads and failure injection on the simulator).
    pub async fn sim(&self, i: usize, args: &[&str]) -> Value {
        let out = self
            .agent_command(i)
            .args(args)
            .output()
            .await
            .expect("agent binary runs");
        assert!(
            out.status.success(),
            "slicebroker-agent {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let procs = self
            .servers
            .iter()
            .filter_map(|(_, p)| p.as_ref())
            .chain(self.agents.iter().filter_map(|(_, _, p)| p.as_ref()));
        if std::thread::panicking() {
            for p in procs {
                let log = std::fs::read_to_string(&p.log).unwrap_or_default();
                let tail: Vec<&str> = log.lines().rev().take(40).collect();
                eprintln!(
                    "---- {} (last 40 lines of {}) ----",
                    p.name,
                    p.log.display()
                );
                for line in tail.iter().rev() {
                    eprintln!("{line}");
                }
            }
            // Kept for looking into: the logs, the agents' state, the certificates.
            if let Some(temp) = self.temp.take() {
                eprintln!("---- kept {}", temp.keep().display());
            }
        }
    }
}
