//! The broker keeping its promises over time: expiry, idle reclamation, host loss and return.

use crate::agent::{DEADLINE, create, instances, node, wait_host, wait_state};
use serde_json::{Value, json};
use slicebroker_testkit::{Cluster, ClusterOptions, wait_until};

async fn cluster(env: &[(&str, &str)]) -> Cluster {
    Cluster::start_with(
        1,
        ClusterOptions {
            server_env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..ClusterOptions::default()
        },
    )
    .await
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

async fn wait_event(c: &Cluster, token: &str, id: &str, kind: &str) {
    wait_until(DEADLINE, &format!("a `{kind}` event on {id}"), async || {
        let kinds = event_kinds(c, token, id).await;
        if kinds.iter().any(|k| k == kind) {
            Ok(())
        } else {
            Err(kinds)
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lease_expires_after_a_warning_and_its_slice_is_destroyed() {
    let mut c = cluster(&[("SLICEBROKER_EXPIRY_WARNING", "2s")]).await;
    let a = c.add_agent(node("node-1", "h100-80gb:1", 21)).await;
    wait_host(&c, "node-1", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let id = create(&c, &team, json!({ "profile": "1g.10gb", "duration": "3s" })).await;
    wait_state(&c, &team, &id, "active").await;
    // A service manager's reload (SIGHUP) does not end a plain-http server: it goes on.
    c.hangup_server(0);
    let ended = wait_state(&c, &team, &id, "ended").await;
    assert_eq!(ended["end_reason"], "expired");
    let kinds = event_kinds(&c, &team, &id).await;
    assert_eq!(
        kinds,
        ["granted", "activated", "expiring", "expired", "ended"]
    );
    assert!(instances(&c, a).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_lease_is_warned_then_reclaimed_and_use_keeps_it() {
    let mut c = cluster(&[("SLICEBROKER_IDLE_WARNING_PERCENT", "50")]).await;
    let a = c.add_agent(node("node-1", "h100-80gb:1", 22)).await;
    wait_host(&c, "node-1", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let body = json!({ "profile": "2g.20gb", "duration": "1h", "idle_timeout": "4s" });
    let id = create(&c, &team, body).await;
    let active = wait_state(&c, &team, &id, "active").await;
    let mig = active["slices"][0]["cuda_visible_devices"]
        .as_str()
        .unwrap()
        .to_owned();
    let work = c.sim(a, &["sim", "workload", "start", "--mig", &mig]).await;
    let pid = work["pid"].to_string();

    // In use for longer than its idle timeout: never warned, never reclaimed.
    let pool = c.pool.clone();
    wait_until(
        DEADLINE,
        "the lease used past its idle timeout",
        async || {
            let busy_for: f64 = sqlx::query_scalar(
                "SELECT extract(epoch FROM now() - l.activated_at)::float8 FROM leases l
             JOIN slices s ON s.lease_id = l.id
             WHERE l.id = $1::uuid AND s.last_active_at > now() - interval '2 seconds'",
            )
            .bind(&id)
            .fetch_optional(&pool)
            .await
            .unwrap()?;
            (busy_for > 6.0).then_some(())
        },
    )
    .await;
    let kinds = event_kinds(&c, &team, &id).await;
    assert!(
        !kinds
            .iter()
            .any(|k| k.starts_with("idle") || k == "reclaimed_idle"),
        "{kinds:?}"
    );

    // The workload ends: a warning first, then the slice is taken back.
    c.sim(a, &["sim", "workload", "stop", "--pid", &pid]).await;
    wait_event(&c, &team, &id, "idle_warning").await;
    let ended = wait_state(&c, &team, &id, "ended").await;
    assert_eq!(ended["end_reason"], "reclaimed_idle");
    let kinds = event_kinds(&c, &team, &id).await;
    assert_eq!(
        kinds[kinds.len() - 3..],
        ["idle_warning", "reclaimed_idle", "ended"]
    );
    assert!(instances(&c, a).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_agent_makes_its_host_unreachable_then_lost_and_its_restart_converges() {
    let mut c = cluster(&[
        ("SLICEBROKER_HOST_UNREACHABLE_AFTER", "3s"),
        ("SLICEBROKER_HOST_LOST_AFTER", "6s"),
        ("SLICEBROKER_PLACEMENT_POLICY", "first-fit"),
    ])
    .await;
    let h = c.add_agent(node("node-h100", "h100-80gb:1", 23)).await;
    c.add_agent(node("node-a100", "a100-40gb:1", 24)).await;
    wait_host(&c, "node-h100", 1).await;
    wait_host(&c, "node-a100", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let on_h100 = json!({ "profile": "3g.40gb", "duration": "1h", "gpu_models": ["h100-80gb"] });
    let id = create(&c, &team, on_h100.clone()).await;
    wait_state(&c, &team, &id, "active").await;

    c.kill_agent(h).await;
    let admin = c.admin_token().await;
    wait_until(DEADLINE, "node-h100 unreachable", async || {
        let hosts = c.api("GET", "/v1/hosts", &admin, None).await;
        let found = hosts.success().as_array().is_some_and(|all| {
            all.iter()
                .any(|x| x["name"] == "node-h100" && x["unreachable_since"].is_string())
        });
        if found { Ok(()) } else { Err(hosts.body) }
    })
    .await;
    // Its GPU is skipped: the next lease goes to the other host, an H100-only one finds none.
    let other = create(&c, &team, json!({ "profile": "1g.10gb", "duration": "1h" })).await;
    let other = wait_state(&c, &team, &other, "active").await;
    assert_eq!(other["slices"][0]["host"], "node-a100");
    let r = c.api("POST", "/v1/leases", &team, Some(&on_h100)).await;
    assert_eq!(r.status, 503, "{}", r.body);

    let lost = wait_state(&c, &team, &id, "ended").await;
    assert_eq!(lost["end_reason"], "host_lost");
    let taken: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM slices WHERE lease_id = $1::uuid AND released_at IS NULL",
    )
    .bind(&id)
    .fetch_one(&c.pool)
    .await
    .unwrap();
    assert_eq!(taken, 1, "the slice stays taken while the agent is away");

    c.start_agent(h).await;
    wait_until(DEADLINE, "the lost lease's slice released", async || {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM slices WHERE lease_id = $1::uuid AND released_at IS NULL",
        )
        .bind(&id)
        .fetch_one(&c.pool)
        .await
        .unwrap();
        if n == 0 {
            Ok(())
        } else {
            Err(format!("{n} live slices"))
        }
    })
    .await;
    assert!(
        instances(&c, h).await.is_empty(),
        "the returning agent destroyed it"
    );
    let again = create(&c, &team, on_h100).await;
    wait_state(&c, &team, &again, "active").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_request_is_served_when_capacity_frees_and_its_quota_is_respected() {
    let mut c = cluster(&[]).await;
    c.add_agent(node("node-1", "h100-80gb:1", 25)).await;
    wait_host(&c, "node-1", 1).await;
    let a = c.tenant("team-a", Value::Null).await;
    let b = c
        .tenant(
            "team-b",
            json!({
                "max_live_compute_slices": 3, "max_lease_seconds": 86_400,
                "max_total_extension_seconds": 86_400, "default_idle_timeout_seconds": 7200,
                "allowed_gpu_models": [],
            }),
        )
        .await;
    let whole = create(&c, &a, json!({ "profile": "7g.80gb", "duration": "1h" })).await;
    wait_state(&c, &a, &whole, "active").await;

    let queued = |profile: &str| json!({ "profile": profile, "duration": "1h", "wait": true });
    let r = c
        .api("POST", "/v1/leases", &b, Some(&queued("3g.40gb")))
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["state"], "pending");
    let big = r.body["id"].as_str().unwrap().to_owned();
    let small = c
        .api("POST", "/v1/leases", &b, Some(&queued("1g.10gb")))
        .await;
    let small = small.success()["id"].as_str().unwrap().to_owned();

    // The GPU frees up: the older request is served; the next would pass team-b's quota of
    // three compute slices, so it keeps waiting although a 1g fits.
    c.api(
        "POST",
        &format!("/v1/leases/{whole}/release"),
        &a,
        Some(&json!({})),
    )
    .await
    .success();
    wait_state(&c, &b, &big, "active").await;
    let capacity = c.api("GET", "/v1/capacity", &b, None).await;
    assert!(
        capacity.success().to_string().contains("1g.10gb"),
        "{}",
        capacity.body
    );
    let still = c.api("GET", &format!("/v1/leases/{small}"), &b, None).await;
    assert_eq!(still.success()["state"], "pending");

    c.api(
        "POST",
        &format!("/v1/leases/{big}/release"),
        &b,
        Some(&json!({})),
    )
    .await
    .success();
    wait_state(&c, &b, &small, "active").await;
    let kinds = event_kinds(&c, &b, &small).await;
    assert_eq!(kinds, ["queued", "granted", "activated"]);
}
