//! Bookings kept with real processes, in windows of seconds: a booking honoured while on-demand
//! leases fill the fleet up to its start, two replicas racing for the last window, an
//! extension refused by a booking, a booking that starts, comes up on the agent, goes idle
//! and is reclaimed, and bookings whose agent is killed before their start: moved to another
//! host, or failed at their start when there is none.

use crate::agent::{create, node, wait_host, wait_state};
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};
use slicebroker_testkit::{Cluster, ClusterOptions};

async fn cluster(servers: usize) -> Cluster {
    Cluster::start_with(
        servers,
        ClusterOptions {
            server_env: vec![("SLICEBROKER_BOOKING_LEAD".into(), "1s".into())],
            ..ClusterOptions::default()
        },
    )
    .await
}

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn kinds(c: &Cluster, token: &str, id: &str) -> Vec<String> {
    c.api("GET", &format!("/v1/leases/{id}/events"), token, None)
        .await
        .success()
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_is_honoured_while_on_demand_leases_fill_the_gpu_until_its_start() {
    let mut c = cluster(1).await;
    c.add_agent(node("node-1", "h100-80gb:1", 31)).await;
    wait_host(&c, "node-1", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::seconds(8);
    let body = json!({"profile": "7g.80gb", "duration": "1h", "start": at(start)});
    let booking = create(&c, &team, body).await;
    // Short on-demand leases fill the GPU up to the start; longer ones are refused.
    let long = json!({"profile": "1g.10gb", "duration": "1h"});
    let r = c.api("POST", "/v1/leases", &team, Some(&long)).await;
    assert_eq!(r.status, 503, "{:?}", r.body);
    let mut short = Vec::new();
    for _ in 0..7 {
        let body = json!({"profile": "1g.10gb", "duration": "2s"});
        short.push(create(&c, &team, body).await);
    }
    // The booking comes up at its start, once the short ones are gone.
    let up = wait_state(&c, &team, &booking, "active").await;
    assert_eq!(up["granted_at"], at(start));
    for id in &short {
        let l = wait_state(&c, &team, id, "ended").await;
        assert_eq!(l["end_reason"], "expired");
    }
    assert_eq!(
        kinds(&c, &team, &booking).await,
        ["booked", "starting", "activated"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_racing_for_the_last_window_of_a_gpu_book_it_once() {
    let mut c = cluster(2).await;
    c.add_agent(node("node-1", "h100-80gb:1", 32)).await;
    wait_host(&c, "node-1", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let start = at(Utc::now() + Duration::hours(2));
    let body = json!({"profile": "7g.80gb", "duration": "1h", "start": start});
    let (a, b) = tokio::join!(
        c.api_on(0, "POST", "/v1/leases", &team, Some(&body)),
        c.api_on(1, "POST", "/v1/leases", &team, Some(&body)),
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [201, 503], "{:?} {:?}", a.body, b.body);
    let admin = c.admin_token().await;
    let booked = c.api("GET", "/v1/leases?state=booked", &admin, None).await;
    assert_eq!(booked.success()["items"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extension_into_a_booking_is_refused_naming_until_when() {
    let mut c = cluster(1).await;
    c.add_agent(node("node-1", "h100-80gb:1", 33)).await;
    wait_host(&c, "node-1", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let running = create(&c, &team, json!({"profile": "7g.80gb", "duration": "1h"})).await;
    let lease = wait_state(&c, &team, &running, "active").await;
    let ends: DateTime<Utc> = lease["ends_at"].as_str().unwrap().parse().unwrap();
    let start = ends + Duration::minutes(30);
    create(
        &c,
        &team,
        json!({"profile": "7g.80gb", "duration": "1h", "start": at(start)}),
    )
    .await;
    let r = c
        .api(
            "POST",
            &format!("/v1/leases/{running}/extend"),
            &team,
            Some(&json!({"by": "1h"})),
        )
        .await;
    assert_eq!(r.status, 409, "{:?}", r.body);
    assert_eq!(r.body["code"], "booked_after");
    assert!(r.body["detail"].as_str().unwrap().contains(&at(start)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_starts_comes_up_goes_idle_and_is_reclaimed() {
    let mut c = cluster(1).await;
    c.add_agent(node("node-1", "h100-80gb:1", 34)).await;
    wait_host(&c, "node-1", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::seconds(4);
    let body = json!({"profile": "2g.20gb", "duration": "1h", "idle_timeout": "3s",
                      "start": at(start)});
    let id = create(&c, &team, body).await;
    let booked = c
        .api("GET", &format!("/v1/leases/{id}"), &team, None)
        .await
        .success()
        .clone();
    assert_eq!(booked["state"], "booked");
    let up = wait_state(&c, &team, &id, "active").await;
    assert_eq!(
        up["ends_at"], booked["ends_at"],
        "paid time runs from the start"
    );
    let ended = wait_state(&c, &team, &id, "ended").await;
    assert_eq!(ended["end_reason"], "reclaimed_idle");
    // Whether an `idle_warning` came in between depends on when the job ran: not asserted.
    let kinds = kinds(&c, &team, &id).await;
    assert_eq!(kinds[..3], ["booked", "starting", "activated"]);
    assert_eq!(kinds[kinds.len() - 2..], ["reclaimed_idle", "ended"]);
}

/// A cluster whose hosts are lost soon after their agent stops reporting.
async fn losing_cluster() -> Cluster {
    Cluster::start_with(
        1,
        ClusterOptions {
            server_env: vec![
                ("SLICEBROKER_BOOKING_LEAD".into(), "1s".into()),
                ("SLICEBROKER_HOST_UNREACHABLE_AFTER".into(), "2s".into()),
                ("SLICEBROKER_HOST_LOST_AFTER".into(), "3s".into()),
            ],
            ..ClusterOptions::default()
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_whose_agent_is_killed_before_its_start_is_rebooked_and_starts_elsewhere() {
    let mut c = losing_cluster().await;
    let agents = [
        c.add_agent(node("node-1", "h100-80gb:1", 35)).await,
        c.add_agent(node("node-2", "h100-80gb:1", 36)).await,
    ];
    wait_host(&c, "node-1", 1).await;
    wait_host(&c, "node-2", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::seconds(15);
    let body = json!({"profile": "7g.80gb", "duration": "1h", "start": at(start)});
    let id = create(&c, &team, body).await;
    let booked = crate::agent::lease_state(&c, &team, &id).await;
    let pinned = booked["slices"][0]["host"].as_str().unwrap().to_owned();
    let (gone, other) = if pinned == "node-1" {
        (agents[0], "node-2")
    } else {
        (agents[1], "node-1")
    };
    c.kill_agent(gone).await;
    let up = wait_state(&c, &team, &id, "active").await;
    let slices = up["slices"].as_array().unwrap();
    assert_eq!(slices.len(), 1, "only its current placement: {slices:?}");
    assert_eq!(slices[0]["host"], other);
    assert!(slices[0]["mig_device_uuid"].is_string(), "{up}");
    assert_eq!(up["granted_at"], at(start), "its window did not move");
    assert_eq!(
        kinds(&c, &team, &id).await,
        ["booked", "rebooked", "starting", "activated"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_booking_whose_only_host_is_lost_is_at_risk_then_fails_at_its_start() {
    let mut c = losing_cluster().await;
    let a = c.add_agent(node("node-1", "h100-80gb:1", 37)).await;
    wait_host(&c, "node-1", 1).await;
    let team = c.tenant("team-a", Value::Null).await;
    let start = Utc::now() + Duration::seconds(12);
    let body = json!({"profile": "7g.80gb", "duration": "1h", "start": at(start)});
    let id = create(&c, &team, body).await;
    c.kill_agent(a).await;
    let ended = wait_state(&c, &team, &id, "ended").await;
    assert_eq!(ended["end_reason"], "failed");
    assert_eq!(kinds(&c, &team, &id).await, ["booked", "at_risk", "failed"]);
    let events = c
        .api("GET", &format!("/v1/leases/{id}/events"), &team, None)
        .await
        .success()
        .clone();
    assert_eq!(events[1]["detail"]["reason"], "host_lost");
    assert_eq!(events[2]["detail"]["reason"], "host_lost");
    let failed_at: DateTime<Utc> = events[2]["at"].as_str().unwrap().parse().unwrap();
    let start: DateTime<Utc> = ended["granted_at"].as_str().unwrap().parse().unwrap();
    assert!(failed_at >= start, "not before its start");
}
