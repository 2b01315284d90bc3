//! Agents on the NVML backend (`--backend nvml`, `libnvidia-ml.so.1` found on the library path
//! as on a GPU host) against the stand-in NVML library: a lease's whole life with the MIG device
//! the "driver" made, and an agent killed between creating a GPU instance and its compute
//! instance.

use crate::agent::{DEADLINE, create, node, wait_host, wait_state};
use serde_json::{Value, json};
use slicebroker_testkit::nvml::{State, Xid};
use slicebroker_testkit::{Cluster, ClusterOptions, wait_until};
use std::path::Path;
use std::process::{Child, Command};

/// A real process the stand-in lists on a MIG device while it runs: what a CUDA program is to
/// the driver. Killed and reaped when dropped.
struct Workload(Child);

impl Workload {
    fn start_on(state: &Path, mig: &str, activity: f64) -> Workload {
        let child = Command::new("sleep").arg("600").spawn().unwrap();
        let pid = child.id();
        State::edit(state, |s| s.add_process(pid, mig, 4096, activity)).unwrap();
        Workload(child)
    }

    fn stop(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Workload {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn event_kinds(c: &Cluster, token: &str, id: &str) -> Vec<String> {
    let events = c
        .api("GET", &format!("/v1/leases/{id}/events"), token, None)
        .await;
    events
        .success()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_on_nvml_goes_active_with_the_drivers_mig_device_and_idle_reclaim_ends_it() {
    let mut c = Cluster::start_with(
        1,
        ClusterOptions {
            server_env: vec![("SLICEBROKER_IDLE_WARNING_PERCENT".into(), "50".into())],
            ..ClusterOptions::default()
        },
    )
    .await;
    let a = c.add_nvml_agent(node("gpu-node", "h100-80gb", 31)).await;
    wait_host(&c, "gpu-node", 1).await;
    let state = c.nvml_state(a);
    let team = c.tenant("team-a", Value::Null).await;
    let body = json!({ "profile": "2g.20gb", "duration": "1h", "idle_timeout": "4s" });
    let id = create(&c, &team, body).await;
    let active = wait_state(&c, &team, &id, "active").await;
    let mig = active["slices"][0]["cuda_visible_devices"]
        .as_str()
        .unwrap()
        .to_owned();
    let held = State::load(&state).unwrap();
    let devices = held.mig_devices();
    assert_eq!(devices.len(), 1, "{devices:?}");
    assert_eq!(
        devices[0].2, mig,
        "the lease carries the MIG device the driver made"
    );
    let gi = &held.gpus[0].gpu_instances[0];
    assert_eq!(
        (gi.profile_id, gi.size),
        (14, 2),
        "2g.20gb, two memory slices"
    );

    // A workload on the slice is reported through NVML's process list.
    let work = Workload::start_on(&state, &mig, 0.6);
    wait_until(DEADLINE, "the workload reported", async || {
        let n: i64 = sqlx::query_scalar(
            "SELECT jsonb_array_length(processes)::bigint FROM slices WHERE lease_id = $1::uuid",
        )
        .bind(&id)
        .fetch_one(&c.pool)
        .await
        .unwrap();
        (n == 1).then_some(())
    })
    .await;

    // It exits: the slice is idle, warned about, reclaimed and destroyed.
    work.stop();
    let ended = wait_state(&c, &team, &id, "ended").await;
    assert_eq!(ended["end_reason"], "reclaimed_idle");
    let kinds = event_kinds(&c, &team, &id).await;
    assert_eq!(
        kinds[kinds.len() - 3..],
        ["idle_warning", "reclaimed_idle", "ended"]
    );
    wait_until(DEADLINE, "the GPU instance destroyed", async || {
        State::load(&state).unwrap().gpus[0]
            .gpu_instances
            .is_empty()
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_nvml_agent_killed_between_gpu_and_compute_instance_converges_without_leaking() {
    let mut c = Cluster::start(1).await;
    let a = c.add_nvml_agent(node("gpu-node", "a100-40gb", 32)).await;
    wait_host(&c, "gpu-node", 1).await;
    let state = c.nvml_state(a);
    // The driver takes its time making the compute instance: long enough to kill the agent.
    State::edit(&state, |s| s.stall("nvmlGpuInstanceCreateComputeInstance")).unwrap();
    let team = c.tenant("team-a", Value::Null).await;
    let id = create(&c, &team, json!({ "profile": "3g.20gb", "duration": "1h" })).await;
    let half_made = wait_until(
        DEADLINE,
        "a GPU instance without its compute instance",
        async || {
            let s = State::load(&state).unwrap();
            let gis = &s.gpus[0].gpu_instances;
            (gis.len() == 1 && gis[0].compute_instances.is_empty()).then(|| gis[0].serial)
        },
    )
    .await;
    c.kill_agent(a).await;
    State::edit(&state, |s| {
        s.release("nvmlGpuInstanceCreateComputeInstance")
    })
    .unwrap();

    c.start_agent(a).await;
    let active = wait_state(&c, &team, &id, "active").await;
    let held = State::load(&state).unwrap();
    let gis = &held.gpus[0].gpu_instances;
    assert_eq!(gis.len(), 1, "nothing leaked: {gis:?}");
    assert_eq!(
        gis[0].serial, half_made,
        "the half-made instance was completed, not remade"
    );
    assert_eq!(gis[0].compute_instances.len(), 1);
    assert_eq!(
        active["slices"][0]["cuda_visible_devices"],
        gis[0].compute_instances[0].uuid.as_str()
    );

    c.api(
        "POST",
        &format!("/v1/leases/{id}/release"),
        &team,
        Some(&json!({})),
    )
    .await
    .success();
    wait_state(&c, &team, &id, "ended").await;
    wait_until(DEADLINE, "nothing left on the GPU", async || {
        State::load(&state).unwrap().gpus[0]
            .gpu_instances
            .is_empty()
            .then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xid_raised_while_the_nvml_agent_was_down_comes_from_the_kernel_log_once() {
    let mut c = Cluster::start(1).await;
    let a = c.add_nvml_agent(node("gpu-node", "h100-80gb:2", 33)).await;
    wait_host(&c, "gpu-node", 2).await;
    let team = c.tenant("team-a", Value::Null).await;
    let checkpoint = c.agent_checkpoint(a);
    wait_until(
        DEADLINE,
        "the agent's first read of the kernel log",
        async || {
            let text = std::fs::read_to_string(&checkpoint).unwrap_or_default();
            text.contains("kernel_log").then_some(())
        },
    )
    .await;

    // GPU 1 falls off the bus while no agent runs: NVML will never deliver that XID (nothing
    // was registered for it), but the driver logged it.
    c.kill_agent(a).await;
    let fell = Xid {
        xid: 79,
        gpu_instance_id: None,
        compute_instance_id: None,
    };
    c.nvml_raise_xid(a, 1, fell);
    let uuid = State::load(&c.nvml_state(a)).unwrap().gpus[1].uuid.clone();
    c.start_agent(a).await;
    let xids = async || -> Vec<Value> {
        let gpus = c.api("GET", "/v1/gpus", &team, None).await;
        gpus.success()
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["uuid"] == uuid.as_str())
            .and_then(|g| g["health"]["xids"].as_array().cloned())
            .unwrap_or_default()
    };
    wait_until(DEADLINE, "XID 79 recorded on GPU 1", async || {
        let x = xids().await;
        (!x.is_empty()).then_some(())
    })
    .await;
    // Several passes later it is still there once: the agent read it from the log once and
    // NVML did not deliver it again.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let recorded: Vec<Value> = xids().await.iter().map(|x| x["xid"].clone()).collect();
    assert_eq!(recorded, [json!(79)]);
}
