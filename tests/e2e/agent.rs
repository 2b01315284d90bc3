//! A lease's life on a real agent: enrollment, `provisioning → active` with a MIG device,
//! release killing the slice's processes, an agent killed mid-reconcile.

use serde_json::{Value, json};
use slicebroker_testkit::{AgentSpec, Cluster, wait_until};
use std::time::Duration;

pub const DEADLINE: Duration = Duration::from_secs(60);

pub fn node(host: &str, gpus: &str, seed: u64) -> AgentSpec {
    AgentSpec {
        host: host.into(),
        gpus: gpus.into(),
        seed,
    }
}

pub async fn lease_state(c: &Cluster, token: &str, id: &str) -> Value {
    c.api("GET", &format!("/v1/leases/{id}"), token, None)
        .await
        .success()
        .clone()
}

pub async fn wait_state(c: &Cluster, token: &str, id: &str, state: &str) -> Value {
    wait_until(DEADLINE, &format!("lease {id} {state}"), async || {
        let l = lease_state(c, token, id).await;
        if l["state"] == state {
            Ok(l)
        } else {
            Err(l["state"].clone())
        }
    })
    .await
}

pub async fn wait_host(c: &Cluster, host: &str, gpus: usize) {
    let admin = c.admin_token().await;
    wait_until(DEADLINE, &format!("{host} registered"), async || {
        let hosts = c.api("GET", "/v1/hosts", &admin, None).await;
        let found = hosts.success().as_array().is_some_and(|all| {
            all.iter()
                .any(|h| h["name"] == host && h["gpu_count"] == gpus as i64)
        });
        if found { Ok(()) } else { Err(hosts.body) }
    })
    .await;
}

/// The MIG devices the simulated host holds right now.
pub async fn instances(c: &Cluster, agent: usize) -> Vec<Value> {
    let probe = c.sim(agent, &["probe"]).await;
    probe["gpus"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["instances"].as_array().cloned().unwrap_or_default())
        .collect()
}

pub async fn create(c: &Cluster, token: &str, body: Value) -> String {
    let r = c.api("POST", "/v1/leases", token, Some(&body)).await;
    r.success()["id"].as_str().unwrap().to_owned()
}

/// Releases the lease as its owner and waits until it has ended.
pub async fn release_and_wait(c: &Cluster, token: &str, id: &str) -> Value {
    c.api(
        "POST",
        &format!("/v1/leases/{id}/release"),
        token,
        Some(&json!({})),
    )
    .await
    .success();
    wait_state(c, token, id, "ended").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_goes_active_on_a_real_agent_and_release_kills_its_processes() {
    let mut c = Cluster::start(1).await;
    let a = c.add_agent(node("node-1", "h100-80gb:2", 1)).await;
    wait_host(&c, "node-1", 2).await;
    let team = c.tenant("team-a", Value::Null).await;

    let id = create(&c, &team, json!({ "profile": "2g.20gb", "duration": "8h" })).await;
    let active = wait_state(&c, &team, &id, "active").await;
    let mig = active["slices"][0]["cuda_visible_devices"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(mig.starts_with("MIG-"), "{active}");
    let held = instances(&c, a).await;
    assert_eq!(held.len(), 1);
    assert!(held[0].to_string().contains(&mig), "{held:?}");

    // A workload on the slice: the agent reports it, and release kills it.
    let started = c
        .sim(
            a,
            &[
                "sim",
                "workload",
                "start",
                "--mig",
                &mig,
                "--memory-mib",
                "4096",
            ],
        )
        .await;
    let pid = started["pid"].as_u64().expect("workload pid");
    let seen: i64 = wait_until(DEADLINE, "the workload reported", async || {
        let n: i64 = sqlx::query_scalar(
            "SELECT jsonb_array_length(processes)::bigint FROM slices WHERE lease_id = $1::uuid",
        )
        .bind(&id)
        .fetch_one(&c.pool)
        .await
        .unwrap();
        (n > 0).then_some(n)
    })
    .await;
    assert_eq!(seen, 1);

    // Extended within the tenant's policy (a week of extensions), refused beyond it.
    let by = |by: &str| json!({ "by": by });
    let extend = format!("/v1/leases/{id}/extend");
    let extended = c.api("POST", &extend, &team, Some(&by("2h"))).await;
    assert_ne!(extended.success()["ends_at"], active["ends_at"]);
    let refused = c.api("POST", &extend, &team, Some(&by("8d"))).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.body["field"], "by");

    let ended = release_and_wait(&c, &team, &id).await;
    assert_eq!(ended["end_reason"], "released");
    assert!(
        instances(&c, a).await.is_empty(),
        "the instance is destroyed"
    );
    let workloads = c.sim(a, &["sim", "workload", "ls"]).await;
    assert!(
        !workloads.to_string().contains(&format!("\"pid\":{pid}")),
        "the workload was killed: {workloads}"
    );
    let live: i64 = sqlx::query_scalar("SELECT count(*) FROM slices WHERE released_at IS NULL")
        .fetch_one(&c.pool)
        .await
        .unwrap();
    assert_eq!(live, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_killed_mid_reconcile_converges_without_leaking_or_double_creating() {
    let mut c = Cluster::start(1).await;
    let a = c.add_agent(node("node-1", "h100-80gb:2", 2)).await;
    wait_host(&c, "node-1", 2).await;
    let team = c.tenant("team-a", Value::Null).await;
    let mut ids = Vec::new();
    for profile in ["1g.10gb", "2g.20gb", "3g.40gb", "1g.20gb"] {
        ids.push(create(&c, &team, json!({ "profile": profile, "duration": "1h" })).await);
    }
    c.kill_agent(a).await;
    c.start_agent(a).await;
    for id in &ids {
        wait_state(&c, &team, id, "active").await;
    }
    let held = instances(&c, a).await;
    assert_eq!(held.len(), ids.len(), "one instance per lease: {held:?}");
    for id in &ids {
        c.api(
            "POST",
            &format!("/v1/leases/{id}/release"),
            &team,
            Some(&json!({})),
        )
        .await
        .success();
    }
    // Killed again while tearing down: the restarted agent finishes the job.
    c.kill_agent(a).await;
    c.start_agent(a).await;
    for id in &ids {
        wait_state(&c, &team, id, "ended").await;
    }
    assert!(instances(&c, a).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_instance_made_by_hand_is_reported_and_never_touched() {
    let mut c = Cluster::start(1).await;
    let a = c.add_agent(node("node-1", "h100-80gb:1", 3)).await;
    wait_host(&c, "node-1", 1).await;
    let gpu = c.sim(a, &["probe"]).await["gpus"][0]["uuid"]
        .as_str()
        .unwrap()
        .to_owned();
    // A 3g.40gb made by an admin at memory slices 0-3, outside the broker.
    c.sim(
        a,
        &[
            "sim",
            "instance",
            "create",
            "--gpu",
            &gpu,
            "--profile",
            "3g.40gb",
            "--start",
            "0",
        ],
    )
    .await;
    let admin = c.admin_token().await;
    wait_until(DEADLINE, "the unmanaged instance reported", async || {
        let gpus = c.api("GET", "/v1/gpus", &admin, None).await;
        gpus.success()[0]["slices"]
            .as_array()?
            .iter()
            .any(|s| s["unmanaged"] == true)
            .then_some(())
    })
    .await;
    let team = c.tenant("team-a", Value::Null).await;
    // Only the other half is left: a 3g fits there, and then nothing else.
    let id = create(&c, &team, json!({ "profile": "3g.40gb", "duration": "1h" })).await;
    let active = wait_state(&c, &team, &id, "active").await;
    assert_eq!(active["slices"][0]["start"], 4);
    let r = c
        .api(
            "POST",
            "/v1/leases",
            &team,
            Some(&json!({ "profile": "1g.10gb", "duration": "1h" })),
        )
        .await;
    assert_eq!(r.status, 503, "{}", r.body);
    c.api(
        "POST",
        &format!("/v1/leases/{id}/release"),
        &team,
        Some(&json!({})),
    )
    .await
    .success();
    wait_state(&c, &team, &id, "ended").await;
    let held = instances(&c, a).await;
    assert_eq!(held.len(), 1, "the hand-made instance stays: {held:?}");
    assert_eq!(held[0]["placement"]["start"], 0);
}
