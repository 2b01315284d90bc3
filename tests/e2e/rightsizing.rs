//! Right-sizing on a real agent: a lease from a class whose simulated workload uses little of
//! its slice's memory ends; its `ended` event and the right-sizing report carry the peak the
//! simulated agent reported.

use crate::agent::{DEADLINE, create, node, release_and_wait, wait_host, wait_state};
use serde_json::{Value, json};
use slicebroker_testkit::{Cluster, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_workloads_peak_reaches_the_ended_event_and_the_rightsizing_report() {
    let mut c = Cluster::start(1).await;
    let a = c.add_agent(node("node-1", "h100-80gb:1", 7)).await;
    wait_host(&c, "node-1", 1).await;
    let admin = c.admin_token().await;
    let team = c.tenant("team-a", Value::Null).await;
    let class = json!({
        "description": "Heavy experiments",
        "profiles": {"h100-80gb": "3g.40gb"},
        "default_duration_seconds": 3600,
        "max_duration_seconds": 14400,
        "idle_timeout_seconds": 3600,
    });
    c.api("POST", "/v1/classes/fine-tune", &admin, Some(&class))
        .await
        .success();

    let id = create(&c, &team, json!({ "class": "fine-tune" })).await;
    let active = wait_state(&c, &team, &id, "active").await;
    let mig = active["slices"][0]["cuda_visible_devices"]
        .as_str()
        .unwrap()
        .to_owned();
    // The simulated workload holds 3 000 MiB of the slice's 40 GiB.
    c.sim(
        a,
        &[
            "sim",
            "workload",
            "start",
            "--mig",
            &mig,
            "--memory-mib",
            "3000",
        ],
    )
    .await;
    let shown = wait_until(DEADLINE, "the workload's memory reported", async || {
        let l = crate::agent::lease_state(&c, &team, &id).await;
        if l["usage"]["peak_memory_mib"] == 3000 {
            Ok(l)
        } else {
            Err(l["usage"].clone())
        }
    })
    .await;
    assert_eq!(shown["usage"]["profile_memory_mib"], 40 * 1024, "{shown}");

    let ended = release_and_wait(&c, &team, &id).await;
    let events = c
        .api("GET", &format!("/v1/leases/{id}/events"), &team, None)
        .await;
    let events = events.success().as_array().unwrap().clone();
    let end = events.iter().find(|e| e["kind"] == "ended").expect("ended");
    let usage = &end["detail"]["usage"];
    assert_eq!(usage["peak_memory_mib"], 3000, "{end}");
    assert_eq!(usage["profile_memory_mib"], 40 * 1024, "{end}");
    // The held time is the lease's active interval, to the microsecond the database keeps.
    let held: f64 = sqlx::query_scalar(
        "SELECT extract(epoch FROM ended_at - activated_at)::float8 FROM leases
         WHERE id = $1::uuid",
    )
    .bind(&id)
    .fetch_one(&c.pool)
    .await
    .unwrap();
    assert_eq!(usage["held_seconds"].as_f64().unwrap(), held, "{end}");
    let busy = usage["busy_share"].as_f64().unwrap();
    let idle = usage["idle_held_seconds"].as_f64().unwrap();
    // To the last bits: the event's copy went through jsonb's numeric.
    assert!((busy - (held - idle) / held).abs() < 1e-12, "{end}");
    // The lease view agrees once ended (floats compared to a microsecond: the event's copy
    // went through jsonb's numeric).
    let view = &ended["usage"];
    assert_eq!(view["peak_memory_mib"], 3000, "{ended}");
    for k in ["held_seconds", "idle_held_seconds"] {
        let (a, b) = (view[k].as_f64().unwrap(), usage[k].as_f64().unwrap());
        assert!((a - b).abs() < 1e-6, "{k}: view {view} event {usage}");
    }

    let today = chrono::Utc::now().date_naive();
    let period = format!(
        "from={today}T00:00:00Z&to={}T00:00:00Z",
        today + chrono::Days::new(1)
    );
    let report = c
        .api(
            "GET",
            &format!("/v1/usage/rightsizing?{period}"),
            &team,
            None,
        )
        .await;
    let rows = report.success().as_array().unwrap().clone();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let row = &rows[0];
    assert_eq!(row["class"], "fine-tune");
    assert_eq!(row["profile"], "3g.40gb");
    assert_eq!(row["leases"], 1);
    assert_eq!(row["peak_memory_mib"], 3000);
    assert_eq!(row["median_peak_memory_mib"], 3000.0);
    assert!(
        (row["busy_share"].as_f64().unwrap() - busy).abs() < 1e-12,
        "{row}"
    );
    assert_eq!(row["recommendation"], Value::Null, "one lease is too few");
    assert!(
        row["recommendation_note"]
            .as_str()
            .unwrap()
            .contains("1 of the 10"),
        "{row}"
    );
}
