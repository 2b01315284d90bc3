//! Virtual agents: many GPU hosts speaking the real agent protocol over HTTP (enrollment,
//! register, the desired-config long-poll held open, observed reports), with no process per
//! host. Each makes what it is told to instantly (a MIG device per slice) and reports it, so
//! leases on its GPUs go active and releases end, as with real agents; it reports at least
//! every `interval`, and at once after a new generation.

use crate::stats::Sample;
use anyhow::Context;
use slicebroker_client::Client;
use slicebroker_client::agent::AgentClient;
use slicebroker_types::agent::{
    AgentRegister, ComputeInstance, DesiredConfig, GpuInfo, GpuInstance, MigMode,
    ObservedGpuReport, ObservedReport, ObservedSlice, catalog_table,
};
use slicebroker_types::{GpuModel, Secret};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Each host's GPUs: 8 of one model, hosts alternating H100 and A100.
const MODELS: [&str; 2] = ["h100-80gb", "a100-40gb"];
pub const GPUS_PER_HOST: u32 = 8;

/// What the virtual agents measured, for the report.
#[derive(Debug, Default)]
pub struct AgentSamples {
    pub reports: Vec<Sample>,
    pub polls: Vec<Sample>,
}

/// One virtual host, after registration.
struct Host {
    name: String,
    gpus: Vec<GpuInfo>,
    client: AgentClient,
}

/// Registers `hosts` virtual hosts of `GPUS_PER_HOST` GPUs each (an enrollment token apiece,
/// from the admin key), `parallel` at a time, spread over `urls` round-robin.
pub async fn enroll(
    clients: &[Client],
    admin_token: &str,
    run: &str,
    hosts: usize,
) -> anyhow::Result<Vec<AgentClientHost>> {
    let mut out = Vec::with_capacity(hosts);
    let sem = Arc::new(tokio::sync::Semaphore::new(64));
    let mut tasks = Vec::with_capacity(hosts);
    for h in 0..hosts {
        let client = clients[h % clients.len()].clone();
        let admin = admin_token.to_owned();
        let name = format!("virtual-{run}-{h}");
        let sem = sem.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire_owned().await?;
            register(&client, &admin, name, h).await
        }));
    }
    for t in tasks {
        out.push(t.await??);
    }
    Ok(out)
}

/// A registered host, ready to run.
pub struct AgentClientHost(Host);

async fn register(
    client: &Client,
    admin: &str,
    name: String,
    index: usize,
) -> anyhow::Result<AgentClientHost> {
    let token: serde_json::Value = client
        .post("/v1/enrollment-tokens")
        .bearer(admin)
        .json(&serde_json::json!({ "note": name, "ttl": "1h" }))
        .call()
        .await
        .context("creating an enrollment token")?;
    let token = token["token"].as_str().context("no token")?.to_owned();
    let model_key = MODELS[index % MODELS.len()];
    let model = GpuModel::get(GpuModel::find(model_key).context("catalog model")?);
    let gpus: Vec<GpuInfo> = (0..GPUS_PER_HOST)
        .map(|i| GpuInfo {
            index: i,
            uuid: format!("GPU-{name}-{i}"),
            name: model.key.to_owned(),
            pci_device_id: model.pci_device_ids.first().copied().unwrap_or(0),
            model: Some(model.key.to_owned()),
            memory_total_mib: model
                .full_profile()
                .and_then(|f| model.profile(f).memory_mib)
                .map_or(0, u64::from),
            mig_mode: Some(MigMode {
                current: true,
                pending: true,
            }),
            profiles: catalog_table(model),
        })
        .collect();
    let req = AgentRegister {
        enrollment_token: Some(token),
        hostname: name.clone(),
        agent_version: "loadgen".into(),
        driver_version: None,
        gpus: gpus.clone(),
    };
    let mut agent = AgentClient::new(client.clone());
    let registration = agent.register(&req).await.context("registering")?;
    agent.set_credential(registration.credential.map(Secret::new));
    Ok(AgentClientHost(Host {
        name,
        gpus,
        client: agent,
    }))
}

impl AgentClientHost {
    /// Runs the host until `until`: long-poll (held up to `interval`), make what is desired
    /// (a pass of `pass`), report; samples taken after `measure_from` go to `samples`.
    pub async fn run(
        self,
        interval: Duration,
        pass: Duration,
        measure_from: Instant,
        until: Instant,
        samples: Arc<Mutex<AgentSamples>>,
    ) {
        let host = self.0;
        let mut generation = 0u64;
        let mut mine = AgentSamples::default();
        // Hosts start spread over the interval, as agents started at different times would.
        let offset = interval.mul_f64(fastrand(host.name.as_bytes()));
        tokio::time::sleep(offset).await;
        while Instant::now() < until {
            let t0 = Instant::now();
            let polled = host.client.desired(generation, interval).await;
            let ok = polled.is_ok();
            if t0 >= measure_from {
                mine.polls.push(Sample::new(t0, ok));
            }
            let desired = match polled {
                Ok(d) => d,
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            generation = desired.generation;
            tokio::time::sleep(pass).await;
            let report = observed(&host, &desired);
            let t1 = Instant::now();
            let sent = host.client.report(&report).await;
            if t1 >= measure_from {
                mine.reports.push(Sample::new(t1, sent.is_ok()));
            }
        }
        let mut all = samples.lock().await;
        all.reports.extend(mine.reports);
        all.polls.extend(mine.polls);
    }
}

/// What the host holds once it made everything desired: one GPU instance with one compute
/// instance per desired slice, no processes.
fn observed(host: &Host, desired: &DesiredConfig) -> ObservedReport {
    let gpus = host
        .gpus
        .iter()
        .map(|g| {
            let slices = desired
                .gpus
                .iter()
                .find(|d| d.gpu_uuid == g.uuid)
                .map(|d| d.slices.as_slice())
                .unwrap_or_default();
            let instances = slices
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let profile = g.profile_by_index(s.profile);
                    ObservedSlice {
                        lease_id: Some(s.lease_id),
                        instance: GpuInstance {
                            id: i as u32 + 1,
                            profile_id: profile.map_or(0, |p| p.id),
                            profile_index: Some(s.profile),
                            placement: s.placement,
                            compute_instances: vec![ComputeInstance {
                                id: 0,
                                profile_id: 0,
                                mig_uuid: format!("MIG-{}", s.lease_id),
                            }],
                            memory_used_mib: Some(0),
                            memory_total_mib: profile.map(|p| p.memory_mib),
                            processes: Vec::new(),
                            activity: None,
                        },
                    }
                })
                .collect();
            ObservedGpuReport {
                gpu_uuid: g.uuid.clone(),
                mig_enabled: true,
                instances,
                health: None,
            }
        })
        .collect();
    ObservedReport {
        applied_generation: desired.generation,
        gpus,
        errors: Vec::new(),
    }
}

/// A fraction in [0, 1) from a name (a stable spread without a random-number crate).
fn fastrand(bytes: &[u8]) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h >> 11) as f64 / (1u64 << 53) as f64
}
