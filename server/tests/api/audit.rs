//! The whole audit log over HTTP: changes no single object's trail shows (cordons, fleet-wide
//! webhooks), newest first, a page at a time, filtered by object; bad filters named.

use crate::errors::{Case, expect_problems, r};
use crate::harness::spawn_app;
use serde_json::{Value, json};

#[tokio::test]
async fn the_audit_log_shows_cordons_and_fleet_webhooks_newest_first_a_page_at_a_time() {
    let app = spawn_app().await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let admin = app.admin_token().await;
    let gpus = app.get("/v1/gpus", &admin).await.ok(200).clone();
    let gpu = gpus[0]["id"].as_str().unwrap().to_owned();
    let host = gpus[0]["host_id"].as_str().unwrap().to_owned();
    for path in [
        format!("/v1/gpus/{gpu}/cordon"),
        format!("/v1/gpus/{gpu}/uncordon"),
        format!("/v1/hosts/{host}/cordon"),
    ] {
        app.post(&path, &admin, &json!({})).await.ok(204);
    }
    let hook = app
        .post(
            "/v1/webhooks",
            &admin,
            &json!({"url": "https://1.1.1.1/hook", "kinds": ["activated"]}),
        )
        .await;
    let hook = hook.ok(201)["webhook"]["id"].as_str().unwrap().to_owned();

    let all = app.get("/v1/audit", &admin).await.ok(200).clone();
    assert_eq!(all["next_cursor"], Value::Null, "{all}");
    let seen: Vec<(&str, &str, &str)> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap();
            (s("action"), s("target_kind"), s("target_id"))
        })
        .collect();
    // Newest first; before these, the admin key the test harness created.
    assert_eq!(
        seen[..4],
        [
            ("webhook.create", "webhook", hook.as_str()),
            ("cordon", "host", host.as_str()),
            ("uncordon", "gpu", gpu.as_str()),
            ("cordon", "gpu", gpu.as_str()),
        ],
        "{all}"
    );
    let fleet_hook = &all["items"][0];
    assert_eq!(fleet_hook["before"], Value::Null);
    assert_eq!(
        fleet_hook["after"]["tenant_id"],
        Value::Null,
        "{fleet_hook}"
    );
    assert!(fleet_hook["actor"].as_str().unwrap().starts_with("key:"));

    // One GPU's history, with its state before and after each change.
    let one = app
        .get(
            &format!("/v1/audit?target_kind=gpu&target_id={gpu}"),
            &admin,
        )
        .await;
    let items = one.ok(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0]["after"], json!({"schedulable": true}));
    assert_eq!(items[1]["before"], json!({"schedulable": true}));
    assert_eq!(items[1]["after"], json!({"schedulable": false}));

    // A page at a time: following the cursor gives the same entries in the same order.
    let mut paged = Vec::new();
    let mut next = "/v1/audit?limit=2".to_owned();
    loop {
        let page = app.get(&next, &admin).await.ok(200).clone();
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= 2 && !items.is_empty(), "{page}");
        paged.extend(items.iter().map(|e| e["id"].as_i64().unwrap()));
        match page["next_cursor"].as_i64() {
            Some(c) => next = format!("/v1/audit?limit=2&cursor={c}"),
            None => break,
        }
    }
    let ids: Vec<i64> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(paged, ids);
}

#[tokio::test]
async fn bad_audit_filters_are_refused_naming_the_parameter() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let long = format!("GET /v1/audit?target_id={}", "x".repeat(201));
    let bad =
        |req: String, field| -> Case<'static> { (req, None, 400, "invalid_input", Some(field)) };
    #[rustfmt::skip]
    let cases = [
        bad(r("GET /v1/audit?target_kind=lease"), "target_kind"),
        bad(r("GET /v1/audit?target_id="), "target_id"),
        bad(long, "target_id"),
        bad(r("GET /v1/audit?target_id=a%00b"), "target_id"),
        bad(r("GET /v1/audit?target_id=%20%20"), "target_id"),
        bad(r("GET /v1/audit?cursor=0"), "cursor"),
        bad(r("GET /v1/audit?cursor=x"), "cursor"),
        bad(r("GET /v1/audit?limit=0"), "limit"),
        bad(r("GET /v1/audit?limit=501"), "limit"),
        bad(r("GET /v1/audit?kind=gpu"), "kind"),
    ];
    expect_problems(&app, Some(&admin), &cases).await;
}
