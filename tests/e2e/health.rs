//! Instance health on a real agent (issue 18, "Proof"): readings set on the simulated GPU show
//! on the GPU and lease views, and a contained ECC error (XID 94) injected on one lease's GPU
//! instance gives that lease an `instance_error` event (it keeps running) and not the lease
//! beside it on the same GPU.

use crate::agent::{DEADLINE, create, node, wait_host, wait_state};
use crate::faulty_link::{Fault, FaultyLink};
use serde_json::{Value, json};
use slicebroker_testkit::{Cluster, wait_until};

/// The GPU (first of agent `a`'s host) and GPU instance id of the slice with MIG UUID `mig`.
async fn instance_of(c: &Cluster, a: usize, mig: &str) -> (String, String) {
    let probe = c.sim(a, &["probe"]).await;
    let gpu = probe["gpus"][0]["uuid"].as_str().unwrap().to_owned();
    let gi = probe["gpus"][0]["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["compute_instances"][0]["mig_uuid"] == mig)
        .map(|i| i["id"].as_u64().unwrap().to_string())
        .expect("the lease's instance");
    (gpu, gi)
}

/// A contained ECC error (XID 94) on GPU instance `gi` of `gpu`, on agent `a`'s simulator.
async fn inject_xid_94(c: &Cluster, a: usize, gpu: &str, gi: &str) {
    let args = [
        "sim",
        "xid",
        "--gpu",
        gpu,
        "--xid",
        "94",
        "--gpu-instance",
        gi,
    ];
    c.sim(a, &args).await;
}

/// The lease's `instance_error` events.
async fn instance_errors(c: &Cluster, team: &str, lease: &str) -> Vec<Value> {
    let events = c
        .api("GET", &format!("/v1/leases/{lease}/events"), team, None)
        .await;
    let events = events.success().as_array().cloned().unwrap_or_default();
    events
        .into_iter()
        .filter(|e| e["kind"] == "instance_error")
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_injected_xid_shows_on_the_lease_whose_instance_it_hit() {
    let mut c = Cluster::start(1).await;
    let a = c.add_agent(node("node-1", "h100-80gb:1", 18)).await;
    wait_host(&c, "node-1", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let body = json!({ "profile": "2g.20gb", "duration": "1h" });
    let (hit, beside) = (
        create(&c, &team, body.clone()).await,
        create(&c, &team, body).await,
    );
    let mig = wait_state(&c, &team, &hit, "active").await["slices"][0]["mig_device_uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    wait_state(&c, &team, &beside, "active").await;
    let (gpu, gi) = instance_of(&c, a, &mig).await;

    c.sim(
        a,
        &[
            "sim",
            "health",
            "--gpu",
            &gpu,
            "--temperature-c",
            "77",
            "--power-mw",
            "301000",
            "--throttle",
            "sw_power_cap",
        ],
    )
    .await;
    inject_xid_94(&c, a, &gpu, &gi).await;

    let event = wait_until(DEADLINE, "the instance_error event", async || {
        instance_errors(&c, &team, &hit).await.pop().ok_or(())
    })
    .await;
    let detail = &event["detail"];
    assert_eq!(detail["xid"], 94, "{event}");
    assert_eq!(detail["gpu_uuid"], gpu.as_str());
    assert_eq!(detail["gpu_instance_id"].to_string(), gi);
    assert_eq!(event["to_state"], Value::Null);

    // It keeps running; the lease beside it, on another instance of the GPU, got nothing
    // (the same report carried the XID to both).
    let lease = wait_state(&c, &team, &hit, "active").await;
    let events = c
        .api("GET", &format!("/v1/leases/{beside}/events"), &team, None)
        .await;
    let kinds: Vec<Value> = events
        .success()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].clone())
        .collect();
    assert!(!kinds.contains(&json!("instance_error")), "{kinds:?}");

    // The lease shows its GPU's readings and the XID; the GPU view too.
    let health = &lease["health"]["gpus"][0]["health"];
    assert_eq!(health["xids"][0]["xid"], 94, "{lease}");
    assert_eq!(health["xids"][0]["fatal"], true);
    let readings = wait_until(DEADLINE, "the readings", async || {
        let gpus = c.api("GET", "/v1/gpus", &team, None).await;
        let h = gpus.success()[0]["health"].clone();
        if h["temperature_c"] == 77 {
            Ok(h)
        } else {
            Err(h)
        }
    })
    .await;
    assert_eq!(readings["power_mw"], 301_000);
    assert_eq!(readings["throttle_reasons"], json!(["sw_power_cap"]));
    assert_eq!(readings["xids"][0]["lease_ids"], json!([hit]));
    let beside_view = c
        .api("GET", &format!("/v1/leases/{beside}"), &team, None)
        .await;
    assert_eq!(
        beside_view.success()["health"]["gpus"][0]["health"]["xids"],
        json!([])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xid_whose_reports_are_lost_arrives_across_a_restart_and_is_recorded_once() {
    let c = Cluster::start(1).await;
    let link = FaultyLink::start(c.server_url(0)).await;
    let mut c = c;
    let a = c
        .add_agent_through(node("node-1", "h100-80gb:1", 19), &link.url)
        .await;
    wait_host(&c, "node-1", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let lease = create(&c, &team, json!({ "profile": "2g.20gb", "duration": "1h" })).await;
    let mig = wait_state(&c, &team, &lease, "active").await["slices"][0]["mig_device_uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    let (gpu, gi) = instance_of(&c, a, &mig).await;

    // The first report carrying the XID is lost on its way, and the agent is killed; after
    // its restart, the next reaches the server but its answer is lost, so the agent sends it
    // once more.
    let carrying = "\"xid\":94";
    link.fault(carrying, Fault::LoseRequest);
    link.fault(carrying, Fault::LoseAnswer);
    inject_xid_94(&c, a, &gpu, &gi).await;
    wait_until(DEADLINE, "the first report with the XID lost", async || {
        if link.pending() < 2 { Ok(()) } else { Err(()) }
    })
    .await;
    c.kill_agent(a).await;
    c.start_agent(a).await;
    wait_until(DEADLINE, "a report with the XID through", async || {
        if link.pending() == 0 && link.passed(carrying) > 0 {
            Ok(())
        } else {
            Err(link.pending())
        }
    })
    .await;
    // Accepted: the agent stops sending it (three passes at 1 s).
    let sent = link.passed(carrying);
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(
        link.passed(carrying),
        sent,
        "sent again after it was accepted"
    );

    let errors = instance_errors(&c, &team, &lease).await;
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0]["detail"]["xid"], 94);
    let gpus = c.api("GET", "/v1/gpus", &team, None).await;
    let xids: Vec<Value> = gpus.success()[0]["health"]["xids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["xid"].clone())
        .collect();
    assert_eq!(xids, [json!(94)], "recorded once");
}
