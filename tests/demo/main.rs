//! `slicebroker-demo`: the whole system on this machine, for a first look. One server, two
//! simulated GPU hosts (4× H100-80GB, 2× A100-40GB), a demo tenant; prints the URLs, an admin
//! key, a tenant key and a lease to try. With `SLICEBROKER_WEB_DIR` (scripts/run.sh sets it)
//! the server serves the web dashboard, whose URL comes first. Ctrl-C stops what it started;
//! its state (keys, agent credentials, simulated GPUs) under `SLICEBROKER_DEMO_DIR` and the
//! database survive a restart.
//!
//! Run it through `scripts/run.sh`, which finds or starts PostgreSQL and sets `DATABASE_URL`.

use serde_json::{Value, json};
use slicebroker_testkit::{AgentSpec, Cluster, ClusterOptions, wait_until};
use std::path::{Path, PathBuf};
use std::time::Duration;

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

const HOSTS: [(&str, &str, u64); 2] = [
    ("demo-h100", "h100-80gb:4", 11),
    ("demo-a100", "a100-40gb:2", 12),
];

/// A secret kept in `dir/name`, made by `make` the first time.
fn kept(dir: &Path, name: &str, make: impl FnOnce() -> String) -> Result<String> {
    let path = dir.join(name);
    if let Ok(s) = std::fs::read_to_string(&path) {
        return Ok(s.trim().to_owned());
    }
    let secret = make();
    std::fs::write(&path, format!("{secret}\n"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(secret)
}

fn random_key() -> String {
    let s = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    format!("sbk_{}", &s[..43])
}

/// The demo tenant's member key: created with the tenant the first time.
async fn tenant_key(c: &Cluster, dir: &Path) -> Result<String> {
    if let Ok(k) = std::fs::read_to_string(dir.join("tenant-key")) {
        return Ok(k.trim().to_owned());
    }
    let admin = c.admin_token().await;
    let tenants = c.api("GET", "/v1/tenants", &admin, None).await;
    let existing = tenants
        .success()
        .as_array()
        .and_then(|ts| ts.iter().find(|t| t["name"] == "demo").cloned());
    let tenant = match existing {
        Some(t) => t,
        None => c
            .api(
                "POST",
                "/v1/tenants",
                &admin,
                Some(&json!({ "name": "demo", "display_name": "Demo team" })),
            )
            .await
            .success()
            .clone(),
    };
    let key = c
        .api(
            "POST",
            &format!(
                "/v1/tenants/{}/api-keys",
                tenant["id"].as_str().unwrap_or_default()
            ),
            &admin,
            Some(&json!({ "name": "demo", "role": "member" })),
        )
        .await;
    let secret = key.success()["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    kept(dir, "tenant-key", || secret)
}

#[tokio::main]
async fn main() -> Result<()> {
    let database_url = std::env::var("DATABASE_URL")
        .map_err(|_| "set DATABASE_URL (scripts/run.sh does) to the database to use")?;
    let dir =
        PathBuf::from(std::env::var("SLICEBROKER_DEMO_DIR").unwrap_or_else(|_| ".data/run".into()));
    std::fs::create_dir_all(&dir)?;
    let port: u16 = std::env::var("SLICEBROKER_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let admin_key = kept(&dir, "admin-key", random_key)?;
    eprintln!(
        "starting the server on port {port} and {} simulated hosts…",
        HOSTS.len()
    );
    let mut c = Cluster::start_with(
        1,
        ClusterOptions {
            database_url: Some(database_url),
            dir: Some(dir.clone()),
            ports: vec![port],
            admin_key: Some(admin_key.clone()),
            log_filter: Some("info".into()),
            server_env: Vec::new(),
            tls: false,
        },
    )
    .await;
    for (host, gpus, seed) in HOSTS {
        c.add_agent(AgentSpec {
            host: host.into(),
            gpus: gpus.into(),
            seed,
        })
        .await;
    }
    let admin = c.admin_token().await;
    wait_until(
        Duration::from_secs(60),
        "the simulated hosts registered",
        async || {
            let hosts = c.api("GET", "/v1/hosts", &admin, None).await;
            let names: Vec<Value> = hosts
                .success()
                .as_array()?
                .iter()
                .map(|h| h["name"].clone())
                .collect();
            HOSTS
                .iter()
                .all(|(h, _, _)| names.contains(&json!(h)))
                .then_some(())
        },
    )
    .await;
    let team_key = tenant_key(&c, &dir).await?;
    let url = c.server_url(0).to_owned();
    // The server inherits SLICEBROKER_WEB_DIR from here (scripts/run.sh sets it).
    let dashboard = match std::env::var_os("SLICEBROKER_WEB_DIR") {
        Some(_) => format!("  Dashboard    {url}/   (sign in with a key below)\n"),
        None => String::new(),
    };
    println!(
        r#"
slicebroker is running.

{dashboard}  API          {url}
  API docs     {url}/docs   (OpenAPI document: {url}/openapi.json)
  GPU hosts    demo-h100 (4× h100-80gb), demo-a100 (2× a100-40gb): simulated agents
  admin key    {admin_key}
  tenant key   {team_key}   (tenant `demo`, role member)
  logs         {dir}/server-0.log, {dir}/<host>/agent.log

Lease a 2g.20gb for 8 hours:

  TOKEN=$(curl -s {url}/v1/auth/token -H 'content-type: application/json' \
      -d '{{"api_key":"{team_key}"}}' | sed -E 's/.*"access_token":"([^"]*)".*/\1/')
  curl -s {url}/v1/leases -H "authorization: Bearer $TOKEN" \
      -H 'content-type: application/json' -d '{{"profile":"2g.20gb","duration":"8h"}}'
  curl -s {url}/v1/leases -H "authorization: Bearer $TOKEN"   # active, with cuda_visible_devices=MIG-…

Or with the CLI (built next to this program):

  echo {team_key} | {bin}/slicectl login --server {url}
  {bin}/slicectl lease create 2g.20gb --for 8h --wait
  {bin}/slicectl lease env <lease id>      # export CUDA_VISIBLE_DEVICES=MIG-…
  {bin}/slicectl fleet

Ctrl-C stops everything this started; keys, agents and the database survive a restart.
"#,
        dir = dir.display(),
        bin = std::env::current_exe()
            .ok()
            .and_then(|e| e.parent().map(|p| p.display().to_string()))
            .unwrap_or_else(|| "target/debug".into()),
    );
    tokio::signal::ctrl_c().await?;
    eprintln!("stopping the server and agents (slices stay as they are)…");
    drop(c);
    Ok(())
}
