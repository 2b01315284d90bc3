//! The agent protocol over HTTP: enrollment and credentials, the desired-config long-poll
//! (woken across replicas), and observed reports turned into lease transitions. The agent is
//! played by the test with hand-written reports; the real agent process is exercised by the
//! end-to-end suite.

use crate::harness::{Resp, TestApp, spawn_app, spawn_with, wait_until};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const H100: &str = "h100-80gb";

pub async fn enrollment_token(app: &TestApp) -> String {
    let admin = app.admin_token().await;
    let r = app
        .post(
            "/v1/enrollment-tokens",
            &admin,
            &json!({ "note": "test", "ttl": "1h" }),
        )
        .await;
    r.ok(201)["token"].as_str().unwrap().to_owned()
}

pub fn gpu(index: u32, uuid: &str, model: &str) -> Value {
    json!({
        "index": index, "uuid": uuid, "name": "NVIDIA H100 80GB HBM3", "pci_device_id": 0x2330_10de_u32,
        "model": model, "memory_total_mib": 81559,
        "mig_mode": { "current": true, "pending": true }, "profiles": []
    })
}

pub async fn register(
    app: &TestApp,
    auth: Result<&str, &str>,
    host: &str,
    gpus: Vec<Value>,
) -> Resp {
    let mut body = json!({ "hostname": host, "agent_version": "test", "driver_version": "570.1", "gpus": gpus });
    let token = match auth {
        Ok(enrollment) => {
            body["enrollment_token"] = json!(enrollment);
            None
        }
        Err(credential) => Some(credential),
    };
    app.request(
        "POST",
        "/v1/agent/register",
        token,
        Some(&body.to_string()),
        &[],
    )
    .await
}

/// An enrolled host with one H100; returns its credential.
pub async fn enrolled_host(app: &TestApp, host: &str, gpu_uuid: &str) -> String {
    let token = enrollment_token(app).await;
    let r = register(app, Ok(&token), host, vec![gpu(0, gpu_uuid, H100)]).await;
    r.ok(200)["credential"].as_str().unwrap().to_owned()
}

/// An instance as an agent reports it.
pub fn instance(
    lease: Option<&str>,
    gi: u32,
    index: &str,
    start: u8,
    size: u8,
    mig: &str,
) -> Value {
    json!({
        "lease_id": lease,
        "instance": {
            "id": gi, "profile_id": 14, "profile_index": index,
            "placement": { "start": start, "size": size },
            "compute_instances": [{ "id": 0, "profile_id": 1, "mig_uuid": mig }],
            "memory_used_mib": 0, "memory_total_mib": 19968,
            "processes": [], "activity": null
        }
    })
}

pub async fn report(
    app: &TestApp,
    cred: &str,
    generation: u64,
    gpu_uuid: &str,
    instances: Vec<Value>,
    errors: Vec<Value>,
) -> Resp {
    let body = json!({
        "applied_generation": generation,
        "gpus": [{ "gpu_uuid": gpu_uuid, "mig_enabled": true, "instances": instances }],
        "errors": errors,
    });
    app.post("/v1/agent/observed", cred, &body).await
}

/// A 2g.20gb for 8 hours for the tenant of `token`, placed (`provisioning`); its id.
pub async fn lease_2g(app: &TestApp, token: &str) -> String {
    let r = app
        .post(
            "/v1/leases",
            token,
            &json!({ "profile": "2g.20gb", "duration": "8h" }),
        )
        .await;
    r.ok(201)["id"].as_str().unwrap().to_owned()
}

pub async fn desired(app: &TestApp, cred: &str, after: u64, wait: u64) -> Value {
    app.get(
        &format!("/v1/agent/desired?after={after}&wait={wait}"),
        cred,
    )
    .await
    .ok(200)
    .clone()
}

async fn lease(app: &TestApp, token: &str, id: &str) -> Value {
    app.get(&format!("/v1/leases/{id}"), token)
        .await
        .ok(200)
        .clone()
}

#[tokio::test]
async fn an_agent_enrolls_once_and_then_registers_with_its_credential() {
    let app = spawn_app().await;
    let (_, member) = app.tenant("team-a", Value::Null).await;
    app.post("/v1/enrollment-tokens", &member, &json!({}))
        .await
        .problem(403, "forbidden");
    let token = enrollment_token(&app).await;
    assert!(token.starts_with("sbe_"));

    let first = register(
        &app,
        Ok(&token),
        "gpu-node-1",
        vec![gpu(0, "GPU-aaaa", H100)],
    )
    .await;
    let first = first.ok(200).clone();
    let cred = first["credential"].as_str().unwrap().to_owned();
    assert!(cred.starts_with("sba_"), "{first}");

    // The token is spent; the credential re-registers without changing the host.
    register(&app, Ok(&token), "gpu-node-1", vec![])
        .await
        .problem(401, "unauthenticated");
    let again = register(
        &app,
        Err(&cred),
        "gpu-node-1",
        vec![gpu(0, "GPU-aaaa", H100), gpu(1, "GPU-bbbb", H100)],
    )
    .await;
    let again = again.ok(200);
    assert_eq!(again["host_id"], first["host_id"]);
    assert!(again.get("credential").is_none(), "{again}");
    register(&app, Err(&cred), "another-host", vec![])
        .await
        .problem(403, "forbidden");

    let admin = app.admin_token().await;
    let hosts = app.get("/v1/hosts", &admin).await;
    let hosts = hosts.ok(200).as_array().unwrap().clone();
    assert_eq!(hosts.len(), 1);
    assert_eq!(hosts[0]["gpu_count"], 2);
    let tokens = app.get("/v1/enrollment-tokens", &admin).await;
    assert_eq!(tokens.ok(200)[0]["used_by_host"], first["host_id"]);
    // The list shows each token's prefix, never the token.
    let listed = tokens.body.to_string();
    assert!(listed.contains("\"prefix\":\"sbe_"), "{listed}");
    assert!(!listed.contains(&token), "{listed}");

    // Agent credentials open only agent endpoints, and user tokens none of them.
    app.get("/v1/leases", &cred)
        .await
        .problem(401, "unauthenticated");
    app.get("/v1/agent/desired", &admin)
        .await
        .problem(401, "unauthenticated");
    app.get("/v1/agent/desired", "sba_forged")
        .await
        .problem(401, "unauthenticated");
    let bad = register(&app, Ok("sbe_nope"), "gpu-node-2", vec![]).await;
    bad.problem(401, "unauthenticated");
    let bad = register(&app, Ok(&enrollment_token(&app).await), "bad host!", vec![]).await;
    assert_eq!(bad.problem(400, "invalid_input")["field"], "hostname");
}

#[tokio::test]
async fn a_lease_goes_active_when_the_agent_reports_its_instance_and_ends_after_teardown() {
    let app = spawn_app().await;
    let cred = enrolled_host(&app, "node-1", "GPU-1").await;
    let (_, member) = app.tenant("team-a", Value::Null).await;
    let d0 = desired(&app, &cred, 0, 0).await;
    let g0 = d0["generation"].as_u64().unwrap();

    let created = app
        .post(
            "/v1/leases",
            &member,
            &json!({ "profile": "2g.20gb", "duration": "8h" }),
        )
        .await;
    let created = created.ok(201).clone();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["state"], "provisioning");

    let d1 = desired(&app, &cred, g0, 5).await;
    let g1 = d1["generation"].as_u64().unwrap();
    assert!(g1 > g0);
    let slice = &d1["gpus"][0]["slices"][0];
    assert_eq!(slice["lease_id"], id.as_str());
    assert_eq!(slice["profile_name"], "2g.20gb");
    let start = slice["placement"]["start"].as_u64().unwrap() as u8;

    let mig = "MIG-11111111-2222-3333-4444-555555555555";
    let ack = report(
        &app,
        &cred,
        g1,
        "GPU-1",
        vec![instance(Some(&id), 3, "Slice2", start, 2, mig)],
        vec![],
    )
    .await;
    assert_eq!(ack.ok(200)["accepted"], true);
    let active = lease(&app, &member, &id).await;
    assert_eq!(active["state"], "active", "{active}");
    assert_eq!(active["slices"][0]["cuda_visible_devices"], mig);
    let activated: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(active["activated_at"].clone()).unwrap();
    let ends: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(active["ends_at"].clone()).unwrap();
    assert_eq!((ends - activated).num_seconds(), 8 * 3600);

    let released = app
        .post(&format!("/v1/leases/{id}/release"), &member, &json!({}))
        .await;
    assert_eq!(released.ok(200)["state"], "releasing");
    let d2 = desired(&app, &cred, g1, 5).await;
    let g2 = d2["generation"].as_u64().unwrap();
    assert!(g2 > g1);
    assert_eq!(d2["gpus"][0]["slices"], json!([]));

    // A report of the old generation that no longer shows the instance does not end it yet.
    report(&app, &cred, g1, "GPU-1", vec![], vec![])
        .await
        .ok(200);
    assert_eq!(lease(&app, &member, &id).await["state"], "releasing");
    report(&app, &cred, g2, "GPU-1", vec![], vec![])
        .await
        .ok(200);
    let ended = lease(&app, &member, &id).await;
    assert_eq!(ended["state"], "ended");
    assert_eq!(ended["end_reason"], "released");
    assert!(ended["slices"][0]["released_at"].is_string());

    // A late report of an older generation is ignored.
    let stale = report(
        &app,
        &cred,
        g1,
        "GPU-1",
        vec![instance(Some(&id), 3, "Slice2", start, 2, mig)],
        vec![],
    )
    .await;
    assert_eq!(stale.ok(200)["accepted"], false);
    assert_eq!(lease(&app, &member, &id).await["state"], "ended");
    let events = app.get(&format!("/v1/leases/{id}/events"), &member).await;
    let kinds: Vec<&str> = events
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["granted", "activated", "released", "ended"]);
}

/// A report locks only the leases it moves and its host's heartbeat: a grant or release
/// holding another lease of the host, and the host's row (to move its generation), does not
/// hold it up. (Reports used to lock every lease on the host and the host row, so a busy
/// host's reports and its grants and releases queued behind each other.)
#[tokio::test]
async fn a_report_waits_for_no_lease_it_does_not_move_nor_for_the_host_row() {
    let app = spawn_app().await;
    let cred = enrolled_host(&app, "node-1", "GPU-1").await;
    let (_, member) = app.tenant("team-a", Value::Null).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let created = app
            .post(
                "/v1/leases",
                &member,
                &json!({ "profile": "2g.20gb", "duration": "8h" }),
            )
            .await;
        ids.push(created.ok(201)["id"].as_str().unwrap().to_owned());
    }
    let d = desired(&app, &cred, 0, 0).await;
    let generation = d["generation"].as_u64().unwrap();
    let slices = d["gpus"][0]["slices"].as_array().unwrap().clone();
    assert_eq!(slices.len(), 2);
    let instances = |only: &str| -> Vec<Value> {
        slices
            .iter()
            .enumerate()
            .filter(|(_, s)| only.is_empty() || s["lease_id"] == only)
            .map(|(i, s)| {
                let start = s["placement"]["start"].as_u64().unwrap() as u8;
                let lease = s["lease_id"].as_str().unwrap();
                let mig = format!("MIG-00000000-0000-0000-0000-00000000000{i}");
                instance(Some(lease), i as u32 + 1, "Slice2", start, 2, &mig)
            })
            .collect()
    };
    // The agent has made the second lease's slice only: it goes active.
    let (first, second) = (ids[0].as_str(), ids[1].as_str());
    report(&app, &cred, generation, "GPU-1", instances(second), vec![])
        .await
        .ok(200);
    assert_eq!(lease(&app, &member, second).await["state"], "active");

    // Another writer holds the active lease and the host's row, as a release of that lease
    // does until it commits.
    let db = app.app.db();
    let mut other = db.begin().await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "SELECT 1 FROM leases WHERE id = '{second}' FOR UPDATE;
         SELECT 1 FROM hosts WHERE name = 'node-1' FOR UPDATE;"
    )))
    .execute(&mut *other)
    .await
    .unwrap();
    // Now both slices are made: the report moves the first lease only, and goes through.
    let sent = tokio::time::timeout(
        Duration::from_secs(10),
        report(&app, &cred, generation, "GPU-1", instances(""), vec![]),
    )
    .await
    .expect("the report waited on locks it does not need");
    assert_eq!(sent.ok(200)["accepted"], true);
    assert_eq!(lease(&app, &member, first).await["state"], "active");
    other.rollback().await.unwrap();
}

#[tokio::test]
async fn a_creation_failure_fails_the_lease_with_the_reason() {
    let app = spawn_app().await;
    let cred = enrolled_host(&app, "node-1", "GPU-1").await;
    let (_, member) = app.tenant("team-a", Value::Null).await;
    let created = app
        .post(
            "/v1/leases",
            &member,
            &json!({ "profile": "3g.40gb", "duration": 3600 }),
        )
        .await;
    let id = created.ok(201)["id"].as_str().unwrap().to_owned();
    let g = desired(&app, &cred, 0, 0).await["generation"]
        .as_u64()
        .unwrap();
    let err = json!({ "gpu_uuid": "GPU-1", "lease_id": id, "op": "create", "reason": "Insufficient resources" });
    report(&app, &cred, g, "GPU-1", vec![], vec![err])
        .await
        .ok(200);
    let failed = lease(&app, &member, &id).await;
    assert_eq!(failed["state"], "releasing");
    let g2 = desired(&app, &cred, g, 0).await["generation"]
        .as_u64()
        .unwrap();
    report(&app, &cred, g2, "GPU-1", vec![], vec![])
        .await
        .ok(200);
    let ended = lease(&app, &member, &id).await;
    assert_eq!(ended["end_reason"], "failed", "{ended}");
    let events = app.get(&format!("/v1/leases/{id}/events"), &member).await;
    let failed = events
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "failed")
        .cloned()
        .unwrap();
    assert_eq!(failed["detail"]["reason"], "Insufficient resources");
}

#[tokio::test]
async fn unmanaged_instances_are_never_placed_on() {
    let app = spawn_app().await;
    let cred = enrolled_host(&app, "node-1", "GPU-1").await;
    let (_, member) = app.tenant("team-a", Value::Null).await;
    let whole = instance(None, 0, "Slice7", 0, 8, "MIG-hand-made");
    report(&app, &cred, 1, "GPU-1", vec![whole], vec![])
        .await
        .ok(200);
    app.post(
        "/v1/leases",
        &member,
        &json!({ "profile": "1g.10gb", "duration": "1h" }),
    )
    .await
    .problem(503, "no_capacity");
    let admin = app.admin_token().await;
    let gpus = app.get("/v1/gpus", &admin).await;
    assert!(
        gpus.ok(200).to_string().contains("7g.80gb"),
        "{}",
        gpus.body
    );
    // Once it is gone the GPU is free again.
    report(&app, &cred, 1, "GPU-1", vec![], vec![])
        .await
        .ok(200);
    app.post(
        "/v1/leases",
        &member,
        &json!({ "profile": "1g.10gb", "duration": "1h" }),
    )
    .await
    .ok(201);
}

#[tokio::test]
async fn the_desired_long_poll_wakes_when_another_replica_changes_the_host() {
    let a = spawn_app().await;
    let b = a.replica(|_| {}).await;
    let cred = enrolled_host(&a, "node-1", "GPU-1").await;
    let (_, member) = a.tenant("team-a", Value::Null).await;
    let g0 = desired(&b, &cred, 0, 0).await["generation"]
        .as_u64()
        .unwrap();

    // Nothing changes: the poll answers after its wait with the same generation.
    let t = Instant::now();
    assert_eq!(
        desired(&b, &cred, g0, 1).await["generation"].as_u64(),
        Some(g0)
    );
    assert!(t.elapsed() >= Duration::from_millis(900));

    let poll = {
        let b = b.clone_client();
        let cred = cred.clone();
        tokio::spawn(async move {
            let t = Instant::now();
            let d = desired(&b, &cred, g0, 8).await;
            (d, t.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    a.post(
        "/v1/leases",
        &member,
        &json!({ "profile": "1g.10gb", "duration": "1h" }),
    )
    .await
    .ok(201);
    let (d, waited) = poll.await.unwrap();
    assert!(d["generation"].as_u64().unwrap() > g0);
    assert_eq!(d["gpus"][0]["slices"].as_array().unwrap().len(), 1);
    assert!(waited < Duration::from_secs(5), "woken after {waited:?}");
}

#[tokio::test]
async fn bad_agent_input_is_a_problem_naming_the_field() {
    let app = spawn_app().await;
    let cred = enrolled_host(&app, "node-1", "GPU-1").await;
    let r = app.get("/v1/agent/desired?wait=600", &cred).await;
    assert_eq!(r.problem(400, "invalid_input")["field"], "wait");
    let r = report(&app, &cred, u64::MAX, "GPU-1", vec![], vec![]).await;
    assert_eq!(
        r.problem(400, "invalid_input")["field"],
        "applied_generation"
    );
    let r = app
        .request(
            "POST",
            "/v1/agent/observed",
            Some(&cred),
            Some("{\"applied_generation\": 1}"),
            &[],
        )
        .await;
    r.problem(400, "malformed_body");
    let token = enrollment_token(&app).await;
    let twice = register(
        &app,
        Ok(&token),
        "node-2",
        vec![gpu(0, "GPU-9", H100), gpu(1, "GPU-9", H100)],
    )
    .await;
    assert_eq!(twice.problem(400, "invalid_input")["field"], "/gpus/1/uuid");
    let admin = app.admin_token().await;
    let r = app
        .post("/v1/enrollment-tokens", &admin, &json!({ "ttl": "90d" }))
        .await;
    assert_eq!(r.problem(400, "invalid_input")["field"], "ttl");
    // 30 days, in each unit the document's pattern allows: the most it allows is accepted, one
    // more is not.
    for (most, over) in [
        (json!("2592000"), json!("2592001s")),
        (json!("43200m"), json!("43201m")),
        (json!("720h"), json!("721h")),
        (json!("30d"), json!("31d")),
        (json!("PT720H"), json!("PT721H")),
        (json!("PT43200M"), json!("PT43201M")),
        (json!("P30D"), json!("P31D")),
    ] {
        let ok = app
            .post("/v1/enrollment-tokens", &admin, &json!({ "ttl": most }))
            .await;
        ok.ok(201);
        let r = app
            .post("/v1/enrollment-tokens", &admin, &json!({ "ttl": over }))
            .await;
        assert_eq!(r.problem(400, "invalid_input")["field"], "ttl", "{over}");
    }
}

/// Removing a host: refused while it holds a slice (even one being torn down); once drained,
/// the host is gone from the fleet, its agent's credential is refused, and enrolling again
/// brings it back.
#[tokio::test]
async fn a_host_is_removed_only_once_drained_and_comes_back_by_enrolling_again() {
    let app = spawn_app().await;
    let cred = enrolled_host(&app, "node-1", "GPU-1").await;
    let admin = app.admin_token().await;
    let (_, member) = app.tenant("team-a", Value::Null).await;
    let host = app.get("/v1/hosts", &admin).await.ok(200)[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = app
        .post(
            "/v1/leases",
            &member,
            &json!({ "profile": "1g.10gb", "duration": "1h" }),
        )
        .await;
    let id = created.ok(201)["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/hosts/{host}");
    let remove = || app.request("DELETE", &path, Some(&admin), None, &[]);
    remove().await.problem(409, "host_in_use");
    app.post(&format!("/v1/leases/{id}/release"), &member, &json!({}))
        .await
        .ok(200);
    // Releasing, but its agent has not destroyed the slice yet.
    remove().await.problem(409, "host_in_use");
    let g = desired(&app, &cred, 0, 0).await["generation"]
        .as_u64()
        .unwrap();
    report(&app, &cred, g, "GPU-1", vec![], vec![])
        .await
        .ok(200);
    assert_eq!(lease(&app, &member, &id).await["state"], "ended");
    let before = app.snapshot().await;
    app.request(
        "DELETE",
        &format!("/v1/hosts/{host}"),
        Some(&member),
        None,
        &[],
    )
    .await
    .problem(403, "forbidden");
    assert_eq!(app.snapshot().await, before);
    assert_eq!(remove().await.status, 204);
    remove().await.problem(404, "not_found");
    assert_eq!(app.get("/v1/hosts", &admin).await.ok(200), &json!([]));
    assert_eq!(app.get("/v1/gpus", &admin).await.ok(200), &json!([]));
    app.get("/v1/agent/desired", &cred)
        .await
        .problem(401, "unauthenticated");
    // The lease's history stays.
    assert_eq!(
        lease(&app, &member, &id).await["slices"][0]["host"],
        "node-1"
    );
    let token = enrollment_token(&app).await;
    register(&app, Ok(&token), "node-1", vec![gpu(0, "GPU-1", H100)])
        .await
        .ok(200);
    let hosts = app.get("/v1/hosts", &admin).await;
    assert_eq!(hosts.ok(200)[0]["id"], host.as_str(), "the same host, back");
    assert_eq!(hosts.body[0]["schedulable"], true);
}

/// A second machine cannot take over a live host by enrolling under its name, nor a GPU
/// another live host reports; once the old host's agent has been silent past
/// `host_unreachable_after`, a re-imaged machine may take the name (and its GPUs) back.
#[tokio::test]
async fn an_enrollment_cannot_take_a_live_hosts_name_or_gpus() {
    let app = spawn_with(|c| c.host_unreachable_after = "2s".parse().unwrap()).await;
    let cred = enrolled_host(&app, "node-1", "GPU-1").await;
    let token = enrollment_token(&app).await;
    let before = app.snapshot().await;
    let r = register(&app, Ok(&token), "node-1", vec![gpu(0, "GPU-9", H100)]).await;
    let p = r.problem(409, "conflict");
    assert!(p["detail"].as_str().unwrap().contains("--hostname"), "{p}");
    let r = register(&app, Ok(&token), "node-2", vec![gpu(0, "GPU-1", H100)]).await;
    let p = r.problem(409, "conflict");
    assert!(p["detail"].as_str().unwrap().contains("node-1"), "{p}");
    assert_eq!(app.snapshot().await, before, "refused, nothing changed");
    // The host's own agent is unaffected; the token was not used up.
    desired(&app, &cred, 0, 0).await;
    // node-1 falls silent: its name can be taken back by a re-enrolled machine.
    wait_until(Duration::from_secs(10), "node-1 unreachable", async || {
        let r = register(&app, Ok(&token), "node-1", vec![gpu(0, "GPU-1", H100)]).await;
        match r.status {
            200 => Ok(()),
            _ => Err(r.body.clone()),
        }
    })
    .await;
}

#[tokio::test]
async fn the_fleet_view_shows_reported_processes_to_the_slice_owner_and_admins_only() {
    let app = spawn_app().await;
    let cred = enrolled_host(&app, "node-1", "GPU-1").await;
    let (_, member) = app.tenant("team-a", Value::Null).await;
    let (_, other) = app.tenant("team-b", Value::Null).await;
    let admin = app.admin_token().await;
    let g0 = desired(&app, &cred, 0, 0).await["generation"]
        .as_u64()
        .unwrap();
    let created = app
        .post(
            "/v1/leases",
            &member,
            &json!({ "profile": "2g.20gb", "duration": "8h" }),
        )
        .await;
    let id = created.ok(201)["id"].as_str().unwrap().to_owned();
    let d1 = desired(&app, &cred, g0, 5).await;
    let g1 = d1["generation"].as_u64().unwrap();
    let start = d1["gpus"][0]["slices"][0]["placement"]["start"]
        .as_u64()
        .unwrap() as u8;
    let mut busy = instance(Some(&id), 3, "Slice2", start, 2, "MIG-1");
    let process =
        json!({ "pid": 4242, "uid": 1000, "command": "python train.py", "memory_mib": 2048 });
    busy["instance"]["processes"] = json!([process]);
    busy["instance"]["memory_used_mib"] = json!(2300);
    report(&app, &cred, g1, "GPU-1", vec![busy], vec![])
        .await
        .ok(200);

    let slice_seen_by = async |token: &str| {
        let gpus = app.get("/v1/gpus", token).await.ok(200).clone();
        gpus[0]["slices"][0].clone()
    };
    for token in [&member, &admin] {
        let s = slice_seen_by(token).await;
        assert_eq!(s["lease_id"], id.as_str(), "{s}");
        assert_eq!(s["processes"], json!([process]), "{s}");
        assert_eq!(s["memory_used_mib"], 2300, "{s}");
        assert!(s["last_active_at"].is_string(), "busy now: {s}");
    }
    // Another tenant sees the slice's place, not its lease nor what runs on it.
    let s = slice_seen_by(&other).await;
    assert_eq!(
        (s["start"].as_u64(), s["size"].as_u64()),
        (Some(u64::from(start)), Some(2))
    );
    for field in ["lease_id", "processes", "memory_used_mib", "last_active_at"] {
        assert!(s[field].is_null(), "{field} hidden: {s}");
    }
}
