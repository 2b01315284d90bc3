//! Several server replicas against one PostgreSQL: racing for the last slices, a replica killed
//! during a burst, and PostgreSQL restarted under load.

use crate::agent::{DEADLINE, node, wait_host, wait_state};
use serde_json::{Value, json};
use slicebroker_testkit::{Cluster, ClusterOptions, PrivatePg, Resp, wait_until};
use std::time::Duration;

/// `n` lease requests at once, spread over the replicas; connection errors come back as `Err`.
async fn burst(c: &Cluster, tokens: &[String], n: usize, body: Value) -> Vec<Result<Resp, String>> {
    let mut tasks = Vec::new();
    for i in 0..n {
        let url = format!("{}/v1/leases", c.server_url(i % 2));
        let (client, token, body) = (
            c.client.clone(),
            tokens[i % tokens.len()].clone(),
            body.clone(),
        );
        tasks.push(tokio::spawn(async move {
            client
                .try_request("POST", &url, Some(&token), Some(&body))
                .await
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

async fn count(c: &Cluster, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&c.pool).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_over_both_replicas_racing_for_the_last_slices_never_overlap_or_exceed_quota() {
    let mut c = Cluster::start(2).await;
    c.add_agent(node("node-1", "h100-80gb:1", 31)).await;
    wait_host(&c, "node-1", 1).await;
    // Seven 1g slices fit on the GPU; team-a may hold at most 3 compute slices.
    let a = c
        .tenant(
            "team-a",
            json!({
                "max_live_compute_slices": 3, "max_lease_seconds": 86_400,
                "max_total_extension_seconds": 86_400, "default_idle_timeout_seconds": 7200,
                "allowed_gpu_models": [],
            }),
        )
        .await;
    let b = c.tenant("team-b", Value::Null).await;
    let results = burst(
        &c,
        &[a.clone(), b.clone()],
        24,
        json!({ "profile": "1g.10gb", "duration": "1h" }),
    )
    .await;
    let granted = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|r| r.status == 201))
        .count();
    for r in &results {
        let r = r.as_ref().expect("both replicas are up");
        assert!(
            [201, 422, 503].contains(&r.status),
            "{} {}",
            r.status,
            r.body
        );
    }
    let refused: Vec<String> = results
        .iter()
        .flatten()
        .filter(|r| r.status != 201)
        .map(|r| format!("{} {}", r.status, r.body["code"]))
        .collect();
    assert!(granted <= 7, "{granted} grants for seven slices");
    // A request may lose every retry to the other replica (503 `unavailable`): the slice it
    // missed is still free, so nothing is lost. Whatever is left is granted afterwards.
    let mut after = 0;
    loop {
        let body = json!({ "profile": "1g.10gb", "duration": "1h" });
        let r = c.api("POST", "/v1/leases", &b, Some(&body)).await;
        if r.status != 201 {
            assert_eq!(r.body["code"], "no_capacity", "{}", r.body);
            break;
        }
        after += 1;
        assert!(after <= 7, "more slices than the GPU has");
    }
    assert_eq!(
        granted + after,
        7,
        "the GPU's seven 1g slices are granted exactly once; refused: {refused:?}"
    );
    assert_eq!(
        count(&c, "SELECT count(*) FROM slices WHERE released_at IS NULL").await,
        7
    );
    let a_holds = count(
        &c,
        "SELECT coalesce(sum(s.compute_slices), 0)::bigint FROM slices s JOIN leases l ON l.id = s.lease_id
         JOIN tenants t ON t.id = l.tenant_id WHERE t.name = 'team-a' AND s.released_at IS NULL",
    )
    .await;
    assert!(a_holds <= 3, "team-a holds {a_holds} compute slices");
    // And every grant becomes a real instance.
    let page = c.api("GET", "/v1/leases", &b, None).await;
    for l in page.success()["items"].as_array().unwrap() {
        wait_state(&c, &b, l["id"].as_str().unwrap(), "active").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_killed_during_a_burst_loses_no_acknowledged_lease() {
    // The suite's full shape: two replicas, three agents.
    let mut c = Cluster::start(2).await;
    c.add_agent(node("node-1", "h100-80gb:4", 32)).await;
    c.add_agent(node("node-2", "h100-80gb:4", 34)).await;
    c.add_agent(node("node-3", "a100-40gb:4", 35)).await;
    for host in ["node-1", "node-2", "node-3"] {
        wait_host(&c, host, 4).await;
    }
    let team = c.tenant("team-a", Value::Null).await;
    let body = json!({ "profile": "1g.10gb", "duration": "1h" });
    let pid = c.server_pid(1).expect("replica 1 runs");
    let tokens = [team.clone()];
    let (first, ()) = tokio::join!(burst(&c, &tokens, 40, body.clone()), async move {
        tokio::time::sleep(Duration::from_millis(30)).await;
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
        assert!(killed.is_ok_and(|s| s.success()), "SIGKILL replica 1");
    });
    c.kill_server(1).await;
    let acknowledged: Vec<String> = first
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .filter(|r| r.status == 201)
        .map(|r| r.body["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!acknowledged.is_empty());
    for id in &acknowledged {
        let lease = wait_state(&c, &team, id, "active").await;
        assert_eq!(lease["slices"].as_array().unwrap().len(), 1);
    }
    // The surviving replica carries on.
    let more = c.api_on(0, "POST", "/v1/leases", &team, Some(&body)).await;
    wait_state(&c, &team, more.success()["id"].as_str().unwrap(), "active").await;
    let live = count(&c, "SELECT count(*) FROM leases WHERE state <> 'ended'").await;
    let slices = count(&c, "SELECT count(*) FROM slices WHERE released_at IS NULL").await;
    assert_eq!(live, slices, "every live lease has its one slice");
    assert!(
        live as usize > acknowledged.len(),
        "{live} leases for {} acknowledgements",
        acknowledged.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_report_not_ready_while_postgres_is_down_and_recover_without_a_restart() {
    // Declared first, so it is removed after the database in it is stopped.
    let dir = tempfile::Builder::new()
        .prefix("slicebroker-e2e-pg-")
        .tempdir()
        .unwrap();
    let pg = PrivatePg::start(dir.path());
    let mut c = Cluster::start_with(
        2,
        ClusterOptions {
            database_url: Some(pg.url()),
            ..ClusterOptions::default()
        },
    )
    .await;
    c.add_agent(node("node-1", "h100-80gb:2", 33)).await;
    wait_host(&c, "node-1", 2).await;
    let team = c.tenant("team-a", Value::Null).await;
    let body = json!({ "profile": "1g.10gb", "duration": "1h" });

    // Requests keep coming while PostgreSQL goes away and comes back.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Set once the load has been answered 503 while the database is away.
    let refused = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (client, stop, body, team) =
            (c.client.clone(), stop.clone(), body.clone(), team.clone());
        let refused = refused.clone();
        let urls = [c.server_url(0).to_owned(), c.server_url(1).to_owned()];
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let url = format!("{}/v1/leases", urls[i % 2]);
                let r = client
                    .try_request("POST", &url, Some(&team), Some(&body))
                    .await;
                let r = r.map(|r| (r.status, r.body["id"].as_str().map(str::to_owned)));
                if matches!(r, Ok((503, _))) {
                    refused.store(true, std::sync::atomic::Ordering::Relaxed);
                }
                // Give the slice back at once so the load never fills the fleet.
                if let Ok((201, Some(id))) = &r {
                    let release = format!("{}/v1/leases/{id}/release", urls[i % 2]);
                    let _ = client
                        .try_request("POST", &release, Some(&team), Some(&json!({})))
                        .await;
                }
                seen.push(r);
                i += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            seen
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    pg.down();
    for i in 0..2 {
        let ready = format!("{}/readyz", c.server_url(i));
        wait_until(
            DEADLINE,
            &format!("replica {i} not ready"),
            async || match c.client.try_request("GET", &ready, None, None).await {
                Ok(r) if r.status == 503 => Ok(()),
                Ok(r) => Err(format!("{} {}", r.status, r.text)),
                Err(e) => Err(e),
            },
        )
        .await;
    }
    let r = c
        .client
        .try_request(
            "POST",
            &format!("{}/v1/leases", c.server_url(0)),
            Some(&team),
            Some(&body),
        )
        .await;
    let r = r.expect("the server itself answers");
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.body["code"], "unavailable");
    // The database stays away until the load has met it too (`/readyz` says so within a
    // second, sooner than a request waits for a connection).
    wait_until(DEADLINE, "the load to be answered 503", async || {
        refused
            .load(std::sync::atomic::Ordering::Relaxed)
            .then_some(())
            .ok_or("no 503 yet")
    })
    .await;

    pg.up();
    for i in 0..2 {
        let ready = format!("{}/readyz", c.server_url(i));
        wait_until(
            DEADLINE,
            &format!("replica {i} ready again"),
            async || match c.client.try_request("GET", &ready, None, None).await {
                Ok(r) if r.status == 200 => Ok(()),
                Ok(r) => Err(format!("{} {}", r.status, r.text)),
                Err(e) => Err(e),
            },
        )
        .await;
    }
    for i in 0..2 {
        let r = c.api_on(i, "POST", "/v1/leases", &team, Some(&body)).await;
        wait_state(&c, &team, r.success()["id"].as_str().unwrap(), "active").await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let seen = load.await.unwrap();
    let statuses: Vec<u16> = seen
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.0))
        .collect();
    assert!(
        statuses.contains(&201) && statuses.contains(&503),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| [201, 503].contains(s)),
        "only grants and 503s while the database is away: {statuses:?}"
    );
    // Every lease a client was told about exists.
    for (_, id) in seen.iter().flatten().filter(|(s, _)| *s == 201) {
        let path = format!("/v1/leases/{}", id.as_deref().unwrap());
        c.api("GET", &path, &team, None).await.success();
    }
    drop(c);
    drop(pg);
    let _ = std::fs::remove_dir_all(&dir);
}
