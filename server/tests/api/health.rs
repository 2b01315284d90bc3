//! Instance health (issue 18): what agents report of their GPUs' health is stored and shown on
//! the GPU view and on the leases whose slices are there, the XID history stays bounded, and a
//! fatal XID gives exactly the leases whose instances it hit an `instance_error` event (one per
//! XID number and report) without ending them.

use crate::agents::{desired, enrolled_host, instance, lease_2g};
use crate::harness::{Resp, TestApp, spawn_app};
use serde_json::{Value, json};

/// One host with one H100 (`GPU-1`) and two active 2g.20gb leases on it: team-a's on GPU
/// instance 3, team-b's on GPU instance 5.
struct Two {
    cred: String,
    generation: u64,
    instances: Vec<Value>,
    team_a: String,
    team_b: String,
    a: String,
    b: String,
}

async fn two_leases(app: &TestApp) -> Two {
    let cred = enrolled_host(app, "node-1", "GPU-1").await;
    let (_, team_a) = app.tenant("team-a", Value::Null).await;
    let (_, team_b) = app.tenant("team-b", Value::Null).await;
    let ids = [lease_2g(app, &team_a).await, lease_2g(app, &team_b).await];
    let d = desired(app, &cred, 0, 0).await;
    let generation = d["generation"].as_u64().unwrap();
    let slices = d["gpus"][0]["slices"].as_array().unwrap();
    let instances: Vec<Value> = ids
        .iter()
        .zip([3, 5])
        .map(|(id, gi)| {
            let s = slices
                .iter()
                .find(|s| s["lease_id"] == id.as_str())
                .unwrap();
            let start = s["placement"]["start"].as_u64().unwrap() as u8;
            let mig = format!("MIG-00000000-0000-0000-0000-00000000000{gi}");
            instance(Some(id), gi, "Slice2", start, 2, &mig)
        })
        .collect();
    let two = Two {
        cred,
        generation,
        instances,
        team_a,
        team_b,
        a: ids[0].clone(),
        b: ids[1].clone(),
    };
    report(app, &two, None).await.ok(200);
    let admin = app.admin_token().await;
    for id in [&two.a, &two.b] {
        let l = app.get(&format!("/v1/leases/{id}"), &admin).await;
        assert_eq!(l.ok(200)["state"], "active");
    }
    two
}

/// A report of both instances, with `health` for GPU-1 if given.
async fn report(app: &TestApp, two: &Two, health: Option<Value>) -> Resp {
    let mut gpu = json!({ "gpu_uuid": "GPU-1", "mig_enabled": true, "instances": two.instances });
    if let Some(h) = health {
        gpu["health"] = h;
    }
    let body = json!({ "applied_generation": two.generation, "gpus": [gpu], "errors": [] });
    app.post("/v1/agent/observed", &two.cred, &body).await
}

fn xid(xid: u64, gi: Option<u32>) -> Value {
    match gi {
        Some(gi) => json!({ "xid": xid, "gpu_instance_id": gi, "compute_instance_id": 0 }),
        None => json!({ "xid": xid }),
    }
}

async fn gpu_health(app: &TestApp, token: &str) -> Value {
    let gpus = app.get("/v1/gpus", token).await;
    gpus.ok(200)[0]["health"].clone()
}

async fn lease_health(app: &TestApp, token: &str, id: &str) -> Value {
    let lease = app.get(&format!("/v1/leases/{id}"), token).await;
    lease.ok(200)["health"]["gpus"].clone()
}

/// The kinds and details of the lease's `instance_error` events, and its state.
async fn instance_errors(app: &TestApp, token: &str, id: &str) -> (Vec<Value>, String) {
    let events = app.get(&format!("/v1/leases/{id}/events"), token).await;
    let errors = events
        .ok(200)
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "instance_error")
        .map(|e| {
            assert_eq!(e["from_state"], Value::Null, "{e}");
            assert_eq!(e["to_state"], Value::Null, "{e}");
            e["detail"].clone()
        })
        .collect();
    let lease = app.get(&format!("/v1/leases/{id}"), token).await;
    let state = lease.ok(200)["state"].as_str().unwrap().to_owned();
    (errors, state)
}

#[tokio::test]
async fn a_report_with_health_is_stored_and_shown_on_the_gpu_and_its_leases() {
    let app = spawn_app().await;
    let two = two_leases(&app).await;
    let admin = app.admin_token().await;
    assert_eq!(
        gpu_health(&app, &admin).await,
        Value::Null,
        "nothing reported yet"
    );
    assert_eq!(lease_health(&app, &two.team_a, &two.a).await, json!([]));

    let ecc = json!({ "volatile_corrected": 4, "volatile_uncorrected": 1,
                      "aggregate_corrected": 40, "aggregate_uncorrected": 2 });
    let health = json!({ "temperature_c": 71, "power_mw": 312_500, "ecc": ecc,
                         "throttle_reasons": ["sw_power_cap", "hw_thermal_slowdown"],
                         "xids": [xid(13, Some(3))] });
    report(&app, &two, Some(health)).await.ok(200);

    let shown = gpu_health(&app, &two.team_a).await;
    assert_eq!(shown["temperature_c"], 71, "{shown}");
    assert_eq!(shown["power_mw"], 312_500);
    assert_eq!(shown["ecc"], ecc);
    assert_eq!(
        shown["throttle_reasons"],
        json!(["sw_power_cap", "hw_thermal_slowdown"])
    );
    assert_eq!(shown["xids_dropped"], 0);
    assert!(shown["reported_at"].is_string());
    let x = &shown["xids"][0];
    assert_eq!(
        (&x["xid"], &x["fatal"], &x["gpu_instance_id"]),
        (&json!(13), &json!(false), &json!(3))
    );
    // The lease it hit shows to its own tenant and to admins, to no other tenant.
    assert_eq!(x["lease_ids"], json!([two.a]));
    assert_eq!(
        gpu_health(&app, &admin).await["xids"][0]["lease_ids"],
        json!([two.a])
    );
    let other = gpu_health(&app, &two.team_b).await;
    assert_eq!(other["xids"][0]["lease_ids"], json!([]), "{other}");
    assert_eq!(other["temperature_c"], 71);

    // Each lease shows its GPU's readings, with only the XIDs that hit its own instance.
    let on_a = lease_health(&app, &two.team_a, &two.a).await;
    assert_eq!(on_a[0]["gpu_uuid"], "GPU-1", "{on_a}");
    assert_eq!(on_a[0]["health"]["power_mw"], 312_500);
    assert_eq!(on_a[0]["health"]["xids"][0]["xid"], 13);
    let on_b = lease_health(&app, &two.team_b, &two.b).await;
    assert_eq!(on_b[0]["health"]["temperature_c"], 71, "{on_b}");
    assert_eq!(on_b[0]["health"]["xids"], json!([]));
    // Only the one lease view carries it; lists do not.
    let list = app.get("/v1/leases", &two.team_a).await;
    assert_eq!(list.ok(200)["items"][0]["health"], Value::Null);
    // An application XID is the workload's own: no event.
    assert_eq!(
        instance_errors(&app, &two.team_a, &two.a).await,
        (vec![], "active".to_owned())
    );

    // A report without health (an agent that predates it) leaves the readings; a new one
    // replaces them, and a reading no longer measured is absent, not zero.
    report(&app, &two, None).await.ok(200);
    assert_eq!(gpu_health(&app, &admin).await["temperature_c"], 71);
    report(
        &app,
        &two,
        Some(json!({ "temperature_c": 88, "throttle_reasons": [] })),
    )
    .await
    .ok(200);
    let now = gpu_health(&app, &admin).await;
    assert_eq!(now["temperature_c"], 88, "{now}");
    assert_eq!(now["power_mw"], Value::Null);
    assert_eq!(now["ecc"], Value::Null);
    assert_eq!(now["throttle_reasons"], json!([]));
    assert_eq!(now["xids"].as_array().unwrap().len(), 1, "the XID stays");
}

#[tokio::test]
async fn a_fatal_xid_gives_an_instance_error_to_each_lease_whose_instance_it_hit() {
    let app = spawn_app().await;
    let two = two_leases(&app).await;
    let (a, b) = (
        (two.team_a.as_str(), two.a.as_str()),
        (two.team_b.as_str(), two.b.as_str()),
    );

    // A contained ECC error (94) on team-a's instance, twice in one report: one event, on
    // team-a's lease only; the lease keeps running.
    let health = json!({ "xids": [xid(94, Some(3)), xid(94, Some(3)), xid(13, Some(5))] });
    report(&app, &two, Some(health)).await.ok(200);
    let (errors, state) = instance_errors(&app, a.0, a.1).await;
    assert_eq!(
        errors,
        [
            json!({ "xid": 94, "gpu_instance_id": 3, "compute_instance_id": 0,
                 "gpu_uuid": "GPU-1" })
        ]
    );
    assert_eq!(state, "active");
    assert_eq!(instance_errors(&app, b.0, b.1).await.0, Vec::<Value>::new());

    // An uncontained one (95) reaches every instance on the GPU, whichever it names; an
    // XID naming no instance (79, off the bus) hits the whole GPU.
    report(&app, &two, Some(json!({ "xids": [xid(95, Some(3))] })))
        .await
        .ok(200);
    report(&app, &two, Some(json!({ "xids": [xid(79, None)] })))
        .await
        .ok(200);
    for (token, id) in [a, b] {
        let (errors, state) = instance_errors(&app, token, id).await;
        let xids: Vec<u64> = errors.iter().map(|e| e["xid"].as_u64().unwrap()).collect();
        let want: &[u64] = if id == a.1 { &[94, 95, 79] } else { &[95, 79] };
        assert_eq!(xids, want);
        assert_eq!(state, "active");
    }
    let whole = &instance_errors(&app, b.0, b.1).await.0[1];
    assert_eq!(whole["gpu_instance_id"], Value::Null, "{whole}");

    // The same XID in a later report is a new error: a new event.
    report(&app, &two, Some(json!({ "xids": [xid(94, Some(3))] })))
        .await
        .ok(200);
    assert_eq!(instance_errors(&app, a.0, a.1).await.0.len(), 4);
    assert_eq!(instance_errors(&app, b.0, b.1).await.0.len(), 2);
    // Every XID shows on the GPU, newest first, with the leases it hit.
    let admin = app.admin_token().await;
    let shown = gpu_health(&app, &admin).await;
    let listed: Vec<(u64, usize)> = shown["xids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["xid"].as_u64().unwrap(),
                x["lease_ids"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [(94, 1), (79, 2), (95, 2), (13, 1), (94, 1), (94, 1)]
    );
}

#[tokio::test]
async fn the_xid_history_keeps_the_newest_hundred_per_gpu_and_counts_every_one() {
    let app = spawn_app().await;
    let two = two_leases(&app).await;
    // Three full reports (64 XIDs each, the most a report may carry), the agent having
    // dropped 5 more.
    for round in 0..3u64 {
        let xids: Vec<Value> = (0..64).map(|i| xid(1000 * round + i, Some(9))).collect();
        let health = json!({ "xids": xids, "xids_dropped": 5 });
        report(&app, &two, Some(health)).await.ok(200);
    }
    let db = app.app.db();
    let (kept, newest): (i64, i32) = sqlx::query_as("SELECT count(*), max(xid) FROM gpu_xids")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(kept, 100);
    assert_eq!(newest, 2063);
    let oldest: i32 = sqlx::query_scalar("SELECT min(xid) FROM gpu_xids")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(oldest, 1028, "the 92 oldest went");
    let counted: i64 = sqlx::query_scalar("SELECT sum(n)::bigint FROM gpu_xid_totals")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(counted, 192);

    let admin = app.admin_token().await;
    let shown = gpu_health(&app, &admin).await;
    let xids: Vec<u64> = shown["xids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["xid"].as_u64().unwrap())
        .collect();
    assert_eq!(xids, (2054..=2063).rev().collect::<Vec<_>>());
    assert_eq!(shown["xids_dropped"], 15);
    // They hit no lease's instance (GPU instance 9 is no lease's).
    assert_eq!(shown["xids"][0]["lease_ids"], json!([]));

    // A report over the bound is refused by field, and changes nothing.
    let too_many: Vec<Value> = (0..65).map(|i| xid(i, None)).collect();
    let r = report(&app, &two, Some(json!({ "xids": too_many }))).await;
    assert_eq!(
        r.problem(400, "invalid_input")["field"],
        "/gpus/0/health/xids"
    );
    let still: i64 = sqlx::query_scalar("SELECT count(*) FROM gpu_xids")
        .fetch_one(db)
        .await
        .unwrap();
    assert_eq!(still, 100);
}

/// An XID numbered by its agent (`seq`), with the GPU instance it hit.
fn numbered(xid_: u64, gi: Option<u32>, seq: u64) -> Value {
    let mut x = xid(xid_, gi);
    x["seq"] = json!(seq);
    x
}

#[tokio::test]
async fn numbered_xids_sent_again_are_recorded_counted_and_raised_once() {
    let app = spawn_app().await;
    let two = two_leases(&app).await;
    let admin = app.admin_token().await;
    let db = app.app.db();
    let totals = || async {
        let n: i64 = sqlx::query_scalar("SELECT coalesce(sum(n), 0)::bigint FROM gpu_xid_totals")
            .fetch_one(db)
            .await
            .unwrap();
        let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM gpu_xids")
            .fetch_one(db)
            .await
            .unwrap();
        (n, kept)
    };
    // Five older ones dropped by the agent (numbered 15..19), then 94 on team-a's instance and
    // an application fault.
    let first = json!({ "xids": [numbered(94, Some(3), 20), numbered(13, Some(5), 21)],
                        "xids_dropped": 5 });
    report(&app, &two, Some(first.clone())).await.ok(200);
    assert_eq!(totals().await, (2, 2));
    assert_eq!(gpu_health(&app, &admin).await["xids_dropped"], 5);
    assert_eq!(instance_errors(&app, &two.team_a, &two.a).await.0.len(), 1);

    // The answer was lost: the agent sends the same again. Nothing is recorded twice.
    report(&app, &two, Some(first)).await.ok(200);
    assert_eq!(totals().await, (2, 2), "recorded once");
    assert_eq!(
        gpu_health(&app, &admin).await["xids_dropped"],
        5,
        "counted once"
    );
    assert_eq!(instance_errors(&app, &two.team_a, &two.a).await.0.len(), 1);

    // Still unacknowledged to the agent's mind, with a new one (uncontained, so it hits
    // both leases): only the new one is recorded.
    let again = json!({ "xids": [numbered(94, Some(3), 20), numbered(13, Some(5), 21),
                                 numbered(95, Some(5), 22)] });
    report(&app, &two, Some(again)).await.ok(200);
    assert_eq!(totals().await, (3, 3));
    let (a_errors, _) = instance_errors(&app, &two.team_a, &two.a).await;
    let a_xids: Vec<u64> = a_errors
        .iter()
        .map(|e| e["xid"].as_u64().unwrap())
        .collect();
    assert_eq!(a_xids, [94, 95]);
    assert_eq!(instance_errors(&app, &two.team_b, &two.b).await.0.len(), 1);

    // Twelve dropped before 30 (numbered 18..29): 18..22 were recorded, so 7 are counted.
    let gap = json!({ "xids": [numbered(13, None, 30)], "xids_dropped": 12 });
    report(&app, &two, Some(gap)).await.ok(200);
    assert_eq!(gpu_health(&app, &admin).await["xids_dropped"], 12);
    assert_eq!(totals().await, (4, 4));

    // A refused report (one XID out of range) records nothing and moves no mark: its XIDs
    // count when sent again.
    let bad = json!({ "xids": [numbered(13, None, 31), numbered(13, None, u64::MAX)] });
    let r = report(&app, &two, Some(bad)).await;
    assert_eq!(
        r.problem(400, "invalid_input")["field"],
        "/gpus/0/health/xids/1/seq"
    );
    report(
        &app,
        &two,
        Some(json!({ "xids": [numbered(13, None, 31)] })),
    )
    .await
    .ok(200);
    assert_eq!(totals().await, (5, 5));

    // XIDs without numbers (agents before numbering) are recorded as sent, every time.
    for _ in 0..2 {
        report(&app, &two, Some(json!({ "xids": [xid(13, None)] })))
            .await
            .ok(200);
    }
    assert_eq!(totals().await, (7, 7));
}
