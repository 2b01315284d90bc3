//! Webhooks across real processes: a receiver in the test checks every signature; a replica
//! SIGKILLed in the middle of a delivery loses nothing (another replica sends it again, with
//! the same delivery id: at least once), a lease's events arrive in order, a receiver that
//! answers 500 for a while gets them once it recovers, and a private target is never called
//! when the server does not allow it, even if it got into the database.

use crate::agent::{DEADLINE, create, node, wait_host};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use slicebroker_testkit::{Cluster, ClusterOptions, wait_until};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// What the receiver does with the next requests: hang (never answer) the first `hang`,
/// answer 500 to the following `fail`, then 200.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, Bytes, u16)>>>,
    hang: Arc<AtomicUsize>,
    fail: Arc<AtomicUsize>,
    hung: Arc<Notify>,
}

fn take(n: &AtomicUsize) -> bool {
    n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

impl Receiver {
    async fn start(hang: usize, fail: usize) -> (Self, String) {
        let r = Receiver::default();
        r.hang.store(hang, Ordering::SeqCst);
        r.fail.store(fail, Ordering::SeqCst);
        let state = r.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    if take(&state.hang) {
                        state
                            .got
                            .lock()
                            .unwrap()
                            .push((headers.clone(), body.clone(), 0));
                        state.hung.notify_one();
                        std::future::pending::<()>().await;
                    }
                    let status = if take(&state.fail) { 500 } else { 200 };
                    state.got.lock().unwrap().push((headers, body, status));
                    StatusCode::from_u16(status).unwrap()
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, url)
    }

    /// (delivery id, kind, status answered) of every request so far.
    fn seen(&self) -> Vec<(String, String, u16)> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(h, b, s)| {
                let v: Value = serde_json::from_slice(b).unwrap();
                (
                    h["x-slicebroker-delivery"].to_str().unwrap().to_owned(),
                    v["kind"].as_str().unwrap().to_owned(),
                    *s,
                )
            })
            .collect()
    }
}

/// Checks `X-Slicebroker-Signature` as docs/webhooks.md tells receivers to.
fn signed_by(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let sig = headers["x-slicebroker-signature"].to_str().unwrap();
    let Some((t, v1)) = sig.split_once(",v1=") else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{}.", t.trim_start_matches("t=")).as_bytes());
    mac.update(body);
    let bytes: Vec<u8> = (0..v1.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&v1[i..i + 2], 16).unwrap_or(0))
        .collect();
    mac.verify_slice(&bytes).is_ok()
}

async fn cluster(servers: usize, env: &[(&str, &str)]) -> Cluster {
    let mut server_env: Vec<(String, String)> = [
        ("SLICEBROKER_WEBHOOK_TIMEOUT", "2s"),
        ("SLICEBROKER_WEBHOOK_RETRY_INITIAL", "100ms"),
        ("SLICEBROKER_WEBHOOK_POLL_INTERVAL", "50ms"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    server_env.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    Cluster::start_with(
        servers,
        ClusterOptions {
            server_env,
            ..ClusterOptions::default()
        },
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_survive_a_replica_killed_mid_send_in_order_and_through_500s() {
    let mut c = cluster(2, &[("SLICEBROKER_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")]).await;
    // Only replica 0 runs at first, so the delivery it hangs in is surely its own.
    c.kill_server(1).await;
    c.add_agent(node("node-1", "h100-80gb:1", 7)).await;
    wait_host(&c, "node-1", 1).await;
    let (receiver, url) = Receiver::start(1, 2).await;
    let admin = c.admin_token().await;
    let hook = c
        .api(
            "POST",
            "/v1/webhooks",
            &admin,
            Some(&json!({"url": url, "kinds": ["granted", "activated", "released"]})),
        )
        .await;
    let hook = hook.success().clone();
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let team = c.tenant("team-a", Value::Null).await;

    let lease = create(&c, &team, json!({"profile": "1g.10gb", "duration": "1h"})).await;
    // Replica 0 is sending `granted` and the receiver holds it: kill the replica now.
    tokio::time::timeout(DEADLINE, receiver.hung.notified())
        .await
        .expect("the first delivery reaches the receiver");
    c.kill_server(0).await;
    c.start_server(1).await;
    let r = c
        .api_on(
            1,
            "POST",
            &format!("/v1/leases/{lease}/release"),
            &team,
            Some(&json!({})),
        )
        .await;
    r.success();

    // Replica 1 takes over once the dead replica's claim runs out, through two 500s, and
    // every event of the lease arrives in order, each accepted once at least. (The agent
    // talks to the killed replica, so the lease stays `releasing`: `released` is the last.)
    let accepted = wait_until(DEADLINE, "the lease's events accepted", async || {
        let seen = receiver.seen();
        let accepted: Vec<String> = seen
            .iter()
            .filter(|s| s.2 == 200)
            .map(|s| s.1.clone())
            .collect();
        accepted
            .last()
            .is_some_and(|k| k == "released")
            .then_some(accepted)
            .ok_or(seen)
    })
    .await;
    let mut order = accepted.clone();
    order.dedup();
    assert_eq!(
        order.first().map(String::as_str),
        Some("granted"),
        "{accepted:?}"
    );
    let position = |k: &str| order.iter().position(|x| x == k);
    assert!(position("granted") < position("released"), "{order:?}");
    if let Some(active) = position("activated") {
        assert!(position("granted") < Some(active) && Some(active) < position("released"));
    }

    let seen = receiver.seen();
    // The hung delivery came again with the same id (at least once), after two 500s.
    let first = &seen[0];
    assert_eq!(first.1, "granted");
    let again: Vec<u16> = seen
        .iter()
        .filter(|s| s.0 == first.0)
        .map(|s| s.2)
        .collect();
    assert_eq!(again, [0, 500, 500, 200], "{seen:?}");
    for (headers, body, _) in receiver.got.lock().unwrap().iter() {
        assert!(signed_by(&secret, headers, body), "every request is signed");
        assert!(!signed_by("whsec_other", headers, body));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_target_is_never_called_when_not_allowed() {
    let mut c = cluster(1, &[]).await;
    c.add_agent(node("node-1", "h100-80gb:1", 8)).await;
    wait_host(&c, "node-1", 1).await;
    let (receiver, url) = Receiver::start(0, 0).await;
    let admin = c.admin_token().await;
    let r = c
        .api(
            "POST",
            "/v1/webhooks",
            &admin,
            Some(&json!({"url": url, "kinds": ["granted"]})),
        )
        .await;
    assert_eq!(r.status, 400, "{}", r.text);
    // Even a webhook written straight into the database (DNS could change after registration)
    // is refused at delivery.
    let id = uuid::Uuid::new_v4();
    sqlx::query("INSERT INTO webhooks (id, url, kinds, secret) VALUES ($1, $2, '{granted}', 's')")
        .bind(id)
        .bind(&url)
        .execute(&c.pool)
        .await
        .unwrap();
    let team = c.tenant("team-a", Value::Null).await;
    create(&c, &team, json!({"profile": "1g.10gb", "duration": "1h"})).await;
    let history = wait_until(DEADLINE, "a refused attempt recorded", async || {
        let r = c
            .api(
                "GET",
                &format!("/v1/webhooks/{id}/deliveries"),
                &admin,
                None,
            )
            .await;
        let list = r.success().clone();
        let tried = list[0]["history"].as_array().is_some_and(|h| !h.is_empty());
        tried.then_some(list.clone()).ok_or(list)
    })
    .await;
    let attempt = &history[0]["history"][0];
    assert_eq!(attempt["status_code"], Value::Null);
    assert!(
        attempt["error"]
            .as_str()
            .unwrap()
            .contains("server-side request forgery"),
        "{attempt}"
    );
    assert!(receiver.seen().is_empty(), "the receiver was never called");
}
