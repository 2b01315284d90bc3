//! The webhook endpoints: every refusal names its field and changes nothing (bad URL, private
//! target never called, unknown or repeated kind, bounds, roles, another tenant's webhooks),
//! and a registered webhook receives signed events of a lease in order, retried after the
//! receiver answers 500, with the history showing each try.

use crate::harness::{TestApp, spawn_app, spawn_with, wait_until};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A receiver on 127.0.0.1 that answers 500 to its first `fail_first` requests and 200 after,
/// and keeps every request's headers and body.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
    fail_first: Arc<AtomicUsize>,
}

impl Receiver {
    async fn start(fail_first: usize) -> (Self, String) {
        let r = Receiver::default();
        r.fail_first.store(fail_first, Ordering::SeqCst);
        let state = r.clone();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move {
                    state.got.lock().unwrap().push((headers, body));
                    let fail = state
                        .fail_first
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                        .is_ok();
                    if fail {
                        StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        StatusCode::OK
                    }
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, url)
    }

    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }
}

/// Checks `X-Slicebroker-Signature` as docs/webhooks.md tells receivers to.
fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let sig = headers["x-slicebroker-signature"].to_str().unwrap();
    let (t, v1) = sig.split_once(",v1=").unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let bytes: Vec<u8> = (0..v1.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&v1[i..i + 2], 16).unwrap())
        .collect();
    mac.verify_slice(&bytes).is_ok()
}

async fn tenant_admin(app: &TestApp, tenant: &str) -> String {
    let admin = app.admin_token().await;
    let k = app
        .post(
            &format!("/v1/tenants/{tenant}/api-keys"),
            &admin,
            &json!({"name": "ops", "role": "tenant-admin"}),
        )
        .await;
    app.token(k.ok(201)["secret"].as_str().unwrap()).await
}

#[tokio::test]
async fn webhook_refusals_name_the_field_and_change_nothing() {
    let app = spawn_app().await;
    let (receiver, local_url) = Receiver::start(0).await;
    let (team, member) = app.tenant("team-a", Value::Null).await;
    let (other, _) = app.tenant("team-b", Value::Null).await;
    let ops = tenant_admin(&app, &team).await;
    let other_ops = tenant_admin(&app, &other).await;
    let path = format!("/v1/tenants/{team}/webhooks");
    let ok = |url: &str| json!({"url": url, "kinds": ["activated"]});
    let before = app.snapshot().await;

    for (body, field) in [
        (ok("ftp://hooks.example.com/x"), "url"),
        (ok("hooks.example.com/x"), "url"),
        (
            ok(&format!("https://hooks.example.com/{}", "a".repeat(2048))),
            "url",
        ),
        // Private and loopback targets are refused (server-side request forgery).
        (ok(&local_url), "url"),
        (ok("http://localhost:9/x"), "url"),
        (ok("http://169.254.169.254/latest/meta-data"), "url"),
        (ok("http://[::1]:9/x"), "url"),
        (json!({"url": "https://1.1.1.1/hook", "kinds": []}), "kinds"),
        (
            json!({"url": "https://1.1.1.1/hook", "kinds": ["ended", "ended"]}),
            "kinds",
        ),
    ] {
        let r = app.post(&path, &ops, &body).await;
        let p = r.problem(400, "invalid_input");
        assert_eq!(p["field"], field, "{body}: {p}");
    }
    let r = app
        .post(
            &path,
            &ops,
            &json!({"url": "https://1.1.1.1/hook", "kinds": ["nope"]}),
        )
        .await;
    let p = r.problem(400, "malformed_body");
    assert_eq!(p["field"], "/kinds/0", "{p}");

    // Roles and tenants: a member may not, another tenant's admin sees no such tenant, and only
    // admins have fleet-wide webhooks.
    let url = ok("https://1.1.1.1/hook");
    app.post(&path, &member, &url)
        .await
        .problem(403, "forbidden");
    app.post(&path, &other_ops, &url)
        .await
        .problem(404, "not_found");
    app.get(&path, &other_ops).await.problem(404, "not_found");
    app.post("/v1/webhooks", &ops, &url)
        .await
        .problem(403, "forbidden");
    assert_eq!(app.snapshot().await, before);
    assert_eq!(receiver.count(), 0, "a refused target is never called");

    // The admin's private target is refused too; so is a 21st webhook.
    let admin = app.admin_token().await;
    app.post("/v1/webhooks", &admin, &ok(&local_url))
        .await
        .problem(400, "invalid_input");
    let mut first = None;
    for _ in 0..20 {
        let r = app.post(&path, &ops, &url).await;
        first.get_or_insert(r.ok(201)["webhook"]["id"].as_str().unwrap().to_owned());
    }
    let p = app.post(&path, &ops, &url).await;
    assert_eq!(p.problem(400, "invalid_input")["field"], "url");
    let first = first.unwrap();
    let deliveries = format!("{path}/{first}/deliveries");
    let p = app.get(&format!("{deliveries}?limit=0"), &ops).await;
    assert_eq!(p.problem(400, "invalid_input")["field"], "limit");
    let p = app.get(&format!("{deliveries}?limit=101"), &ops).await;
    assert_eq!(p.problem(400, "invalid_input")["field"], "limit");
    // Another tenant's webhook is not found under its own tenant's path either.
    app.get(&format!("/v1/tenants/{other}/webhooks/{first}"), &admin)
        .await
        .problem(404, "not_found");
    app.get(&format!("/v1/webhooks/{first}"), &admin)
        .await
        .problem(404, "not_found");
    let r = app
        .request(
            "PATCH",
            &format!("{path}/{first}"),
            Some(&ops),
            Some(&json!({"url": "gopher://x"}).to_string()),
            &[],
        )
        .await;
    assert_eq!(r.problem(400, "invalid_input")["field"], "url");
    assert_eq!(receiver.count(), 0);
}

#[tokio::test]
async fn a_webhook_gets_a_leases_signed_events_in_order_retried_after_500s() {
    let app = spawn_with(|c| {
        c.webhook_allow_private_targets = true;
        c.webhook_poll_interval = "20ms".parse().unwrap();
        c.webhook_retry_initial = "50ms".parse().unwrap();
    })
    .await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (receiver, url) = Receiver::start(2).await;
    let (team, member) = app.tenant("team-a", Value::Null).await;
    let ops = tenant_admin(&app, &team).await;
    let r = app
        .post(
            &format!("/v1/tenants/{team}/webhooks"),
            &ops,
            &json!({"url": url, "kinds": ["granted", "released", "ended"]}),
        )
        .await;
    let created = r.ok(201).clone();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let hook = created["webhook"]["id"].as_str().unwrap().to_owned();

    let lease = app
        .post(
            "/v1/leases",
            &member,
            &json!({"profile": "1g.10gb", "duration": "1h"}),
        )
        .await;
    let lease = lease.ok(201)["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/leases/{lease}/release"), &member, &json!({}))
        .await
        .ok(200);

    // Two 500s, then both events, in order: granted is retried until it is taken, and
    // released waits for it.
    let kinds = wait_until(
        Duration::from_secs(20),
        "both events delivered",
        async || {
            let got = receiver.got.lock().unwrap().clone();
            let accepted: Vec<String> = got
                .iter()
                .skip(2)
                .map(|(_, b)| {
                    serde_json::from_slice::<Value>(b).unwrap()["kind"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                })
                .collect();
            (accepted.len() >= 2).then_some(accepted).ok_or(got.len())
        },
    )
    .await;
    assert_eq!(kinds[..2], ["granted", "released"]);
    let got = receiver.got.lock().unwrap().clone();
    for (headers, body) in &got {
        assert!(verify(&secret, headers, body), "signature verifies");
        assert!(!verify("whsec_wrong", headers, body));
        let v: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(v["lease"]["id"], lease);
        assert_eq!(v["tenant"]["name"], "team-a");
        assert_eq!(
            v["delivery_id"],
            headers["x-slicebroker-delivery"].to_str().unwrap()
        );
    }
    // The first three requests were the same delivery (two 500s, then 200).
    let ids: Vec<&str> = got[..3]
        .iter()
        .map(|(h, _)| h["x-slicebroker-delivery"].to_str().unwrap())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");

    let history = wait_until(Duration::from_secs(10), "history recorded", async || {
        let r = app
            .get(
                &format!("/v1/tenants/{team}/webhooks/{hook}/deliveries"),
                &ops,
            )
            .await;
        let list = r.ok(200).as_array().unwrap().clone();
        list.iter()
            .all(|d| d["state"] == "delivered")
            .then_some(list.clone())
            .ok_or(list)
    })
    .await;
    // A page at a time, with the last id as `before`: the same deliveries in the same order.
    let deliveries = format!("/v1/tenants/{team}/webhooks/{hook}/deliveries");
    let mut paged = Vec::new();
    let mut next = format!("{deliveries}?limit=1");
    loop {
        let page = app
            .get(&next, &ops)
            .await
            .ok(200)
            .as_array()
            .unwrap()
            .clone();
        let Some(last) = page.last() else { break };
        paged.push(last["id"].clone());
        next = format!(
            "{deliveries}?limit=1&before={}",
            last["id"].as_str().unwrap()
        );
    }
    let ids: Vec<Value> = history.iter().map(|d| d["id"].clone()).collect();
    assert_eq!(paged, ids);
    let p = app
        .get(&format!("{deliveries}?before={}", uuid::Uuid::nil()), &ops)
        .await;
    assert_eq!(p.problem(400, "invalid_input")["field"], "before");
    let granted = history.iter().find(|d| d["kind"] == "granted").unwrap();
    assert!(
        history.iter().all(|d| d["next_attempt_at"].is_null()),
        "a delivery that is done has no next attempt: {history:?}"
    );
    let codes: Vec<i64> = granted["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 500, 200]);

    // Redeliver sends it again, with the same delivery id.
    let n = receiver.count();
    let id = granted["id"].as_str().unwrap();
    let r = app
        .post(
            &format!("/v1/tenants/{team}/webhooks/{hook}/deliveries/{id}/redeliver"),
            &ops,
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.body);
    wait_until(Duration::from_secs(10), "redelivered", async || {
        let got = receiver.got.lock().unwrap();
        got[n..]
            .iter()
            .any(|(h, _)| h["x-slicebroker-delivery"] == id)
    })
    .await;

    // A new secret, shown once; the webhook's `updated_at` moves with it.
    let path = format!("/v1/tenants/{team}/webhooks/{hook}");
    let before = app.get(&path, &ops).await.ok(200).clone();
    let rotated = app
        .post(&format!("{path}/rotate-secret"), &ops, &json!({}))
        .await
        .ok(200)
        .clone();
    assert_ne!(rotated["secret"].as_str(), Some(secret.as_str()));
    assert!(rotated["secret"].as_str().is_some_and(|s| s.len() >= 32));
    let (was, now): (DateTime<Utc>, DateTime<Utc>) = (
        before["updated_at"].as_str().unwrap().parse().unwrap(),
        rotated["webhook"]["updated_at"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap(),
    );
    assert!(now > was, "updated_at {was} → {now}");

    // The tenant's audit trail holds its webhook's and its keys' changes, oldest first.
    let r = app.request("DELETE", &path, Some(&ops), None, &[]).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let admin = app.admin_token().await;
    let trail = app.get(&format!("/v1/tenants/{team}/audit"), &admin).await;
    let actions: Vec<&str> = trail
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for done in [
        "api_key.create",
        "webhook.create",
        "webhook.rotate_secret",
        "webhook.delete",
    ] {
        assert!(actions.contains(&done), "{done} in {actions:?}");
    }
}

/// Disabling a webhook pauses it: what is queued waits instead of failing, and is sent once the
/// webhook is enabled again. A patch that changes nothing writes nothing.
#[tokio::test]
async fn a_disabled_webhook_keeps_what_is_queued_and_sends_it_when_enabled() {
    let app = spawn_with(|c| {
        c.webhook_allow_private_targets = true;
        c.webhook_poll_interval = "20ms".parse().unwrap();
        c.webhook_retry_initial = "50ms".parse().unwrap();
    })
    .await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (receiver, url) = Receiver::start(usize::MAX).await;
    let (team, member) = app.tenant("team-a", Value::Null).await;
    let ops = tenant_admin(&app, &team).await;
    let r = app
        .post(
            &format!("/v1/tenants/{team}/webhooks"),
            &ops,
            &json!({"url": url, "kinds": ["granted", "released"]}),
        )
        .await;
    let hook = r.ok(201)["webhook"].clone();
    let path = format!(
        "/v1/tenants/{team}/webhooks/{}",
        hook["id"].as_str().unwrap()
    );
    let lease = app
        .post(
            "/v1/leases",
            &member,
            &json!({"profile": "1g.10gb", "duration": "1h"}),
        )
        .await;
    let lease = lease.ok(201)["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/leases/{lease}/release"), &member, &json!({}))
        .await
        .ok(200);
    wait_until(Duration::from_secs(10), "a first try", async || {
        (receiver.count() >= 1)
            .then_some(())
            .ok_or(receiver.count())
    })
    .await;

    // Nothing to change: the same webhook, not written, not audited.
    let admin = app.admin_token().await;
    let audited = async || {
        let trail = app.get("/v1/audit?target_kind=webhook", &admin).await;
        trail.ok(200)["items"].as_array().unwrap().len()
    };
    let entries = audited().await;
    let same = app
        .request("PATCH", &path, Some(&ops), Some("{}"), &[])
        .await;
    assert_eq!(same.ok(200)["updated_at"], hook["updated_at"]);
    assert_eq!(audited().await, entries);

    let off = app
        .request(
            "PATCH",
            &path,
            Some(&ops),
            Some(r#"{"enabled":false}"#),
            &[],
        )
        .await;
    assert_eq!(off.ok(200)["enabled"], false);
    // A try already claimed when it was disabled still goes out (at once: the receiver answers
    // at once); after it, several retry intervals pass with no try, and nothing is failed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let tried = receiver.count();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.count(), tried, "a disabled webhook is not called");
    // Newest first: `released` waits for `granted`, which waits for the webhook.
    let deliveries = app.get(&format!("{path}/deliveries"), &ops).await;
    let list = deliveries.ok(200).clone();
    let (released, delivery) = (list[0].clone(), list[1].clone());
    assert_eq!(delivery["kind"], "granted", "{list}");
    assert_eq!(delivery["state"], "pending", "{delivery}");
    assert_eq!(delivery["waiting_for"], Value::Null);
    assert_eq!(released["state"], "pending");
    assert_eq!(released["waiting_for"], delivery["id"], "{released}");

    receiver.fail_first.store(0, Ordering::SeqCst);
    app.request("PATCH", &path, Some(&ops), Some(r#"{"enabled":true}"#), &[])
        .await
        .ok(200);
    wait_until(
        Duration::from_secs(10),
        "the queued deliveries sent",
        async || {
            let r = app.get(&format!("{path}/deliveries"), &ops).await;
            let list = r.ok(200).as_array().unwrap().clone();
            list.iter()
                .all(|d| d["state"] == "delivered" && d["waiting_for"].is_null())
                .then_some(())
                .ok_or(list)
        },
    )
    .await;
    let got = receiver.got.lock().unwrap().clone();
    let sent: Vec<&str> = got[tried..]
        .iter()
        .map(|(h, _)| h["x-slicebroker-delivery"].to_str().unwrap())
        .collect();
    assert_eq!(
        sent,
        [
            delivery["id"].as_str().unwrap(),
            released["id"].as_str().unwrap()
        ],
        "in order, once each"
    );
}
