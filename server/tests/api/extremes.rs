//! Every number (and long string) a client, an admin or an agent can send, at its extremes, one
//! test per endpoint: each is refused with a 400 naming the field (never a 500, never a panic,
//! never silently clamped) and changes nothing; the documented bounds themselves are accepted.

use crate::errors::{Case, NIL, expect_problems, r, world};
use crate::harness::spawn_app;
use serde_json::{Value, json};

const HUGE: &str = "9223372036854775807";

/// Bodies that put `value` in `field` of `base`.
fn with(base: &Value, field: &str, value: Value) -> String {
    let mut b = base.clone();
    b[field] = value;
    b.to_string()
}

#[tokio::test]
async fn lease_create_refuses_extreme_numbers_naming_the_field() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let base = json!({"profile": "1g.10gb", "duration": "1h"});
    let need = json!({"min_memory_gib": 10, "duration": "1h"});
    let bodies: Vec<(String, u16, &str, &str)> = vec![
        (
            with(&base, "duration", json!(i64::MAX)),
            400,
            "invalid_input",
            "duration",
        ),
        (
            with(&base, "duration", json!(HUGE)),
            400,
            "invalid_input",
            "duration",
        ),
        (
            with(&base, "duration", json!(u64::MAX)),
            400,
            "invalid_input",
            "duration",
        ),
        (
            with(&base, "duration", json!(i64::MIN)),
            400,
            "invalid_input",
            "duration",
        ),
        (
            with(&base, "duration", json!(31_622_401)),
            400,
            "invalid_input",
            "duration",
        ),
        (
            with(&base, "duration", json!("99999999999999999999h")),
            400,
            "invalid_input",
            "duration",
        ),
        (
            with(&base, "duration", json!("P9999999999W")),
            400,
            "invalid_input",
            "duration",
        ),
        (
            with(&base, "duration", json!(1e300)),
            400,
            "malformed_body",
            "duration",
        ),
        (
            with(&base, "duration", json!("x".repeat(10_000))),
            400,
            "invalid_input",
            "duration",
        ),
        (
            with(&base, "idle_timeout", json!(i64::MAX)),
            400,
            "invalid_input",
            "idle_timeout",
        ),
        (
            with(&base, "idle_timeout", json!(HUGE)),
            400,
            "invalid_input",
            "idle_timeout",
        ),
        (
            with(&base, "count", json!(u32::MAX)),
            400,
            "invalid_input",
            "count",
        ),
        (
            with(&base, "count", json!(u64::MAX)),
            400,
            "malformed_body",
            "count",
        ),
        (
            with(&base, "count", json!(-1)),
            400,
            "malformed_body",
            "count",
        ),
        (
            with(&base, "priority", json!(i32::MAX)),
            400,
            "invalid_input",
            "priority",
        ),
        (
            with(&base, "priority", json!(i64::MIN)),
            400,
            "malformed_body",
            "priority",
        ),
        (
            with(&base, "profile", json!("1".repeat(10_000))),
            400,
            "invalid_input",
            "profile",
        ),
        (
            with(&base, "gpu_models", json!(vec!["h100-80gb"; 33])),
            400,
            "invalid_input",
            "gpu_models",
        ),
        (
            with(&need, "min_memory_gib", json!(u32::MAX)),
            400,
            "invalid_input",
            "min_memory_gib",
        ),
        (
            with(&need, "min_compute_slices", json!(255)),
            400,
            "invalid_input",
            "min_compute_slices",
        ),
        (
            with(&need, "min_compute_slices", json!(256)),
            400,
            "malformed_body",
            "min_compute_slices",
        ),
    ];
    let cases: Vec<Case> = bodies
        .iter()
        .map(|(b, status, code, field)| {
            (
                r("POST /v1/leases"),
                Some(b.as_str()),
                *status,
                *code,
                Some(*field),
            )
        })
        .collect();
    expect_problems(&app, Some(&w.member), &cases).await;
    // The bounds themselves are fine, and every time printed is RFC 3339.
    let at_bounds = json!({"profile": "1g.10gb", "duration": 7 * 86_400, "idle_timeout": 7200,
                           "priority": 100, "count": 1});
    let lease = app.post("/v1/leases", &w.member, &at_bounds).await;
    let ends_at = lease.ok(201)["ends_at"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(ends_at).is_ok(),
        "{ends_at}"
    );
}

#[tokio::test]
async fn lease_extend_refuses_extreme_amounts_even_after_an_extension() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let l = &w.lease;
    app.post(
        &format!("/v1/leases/{l}/extend"),
        &w.member,
        &json!({"by": "1h"}),
    )
    .await
    .ok(200);
    let path = format!("POST /v1/leases/{l}/extend");
    let bodies = [
        (json!({"by": i64::MAX}).to_string(), "invalid_input"),
        (json!({"by": HUGE}).to_string(), "invalid_input"),
        (json!({"by": u64::MAX}).to_string(), "invalid_input"),
        (json!({"by": -1}).to_string(), "invalid_input"),
        (json!({"by": 0}).to_string(), "invalid_input"),
        (
            json!({"by": "-9223372036854775808"}).to_string(),
            "invalid_input",
        ),
        (json!({"by": 1e30}).to_string(), "malformed_body"),
    ];
    let cases: Vec<Case> = bodies
        .iter()
        .map(|(b, code)| (path.clone(), Some(b.as_str()), 400, *code, Some("by")))
        .collect();
    expect_problems(&app, Some(&w.member), &cases).await;
}

#[tokio::test]
async fn lease_list_refuses_extreme_pages_and_filters() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let long_label = format!("GET /v1/leases?label=k={}", "v".repeat(300));
    #[rustfmt::skip]
    let cases = [
        (format!("GET /v1/leases?limit={HUGE}"), None, 400, "invalid_input", Some("limit")),
        (r("GET /v1/leases?limit=99999999999999999999"), None, 400, "invalid_input", Some("limit")),
        (r("GET /v1/leases?limit=-1"), None, 400, "invalid_input", Some("limit")),
        (r("GET /v1/leases?limit=0"), None, 400, "invalid_input", Some("limit")),
        (r("GET /v1/leases?cursor=123"), None, 400, "invalid_input", Some("cursor")),
        (long_label, None, 400, "invalid_input", Some("label")),
    ];
    expect_problems(&app, Some(&w.member), &cases).await;
}

#[tokio::test]
async fn tenant_create_and_update_refuse_unbounded_policies_and_names() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let t = &w.tenant;
    let mut cases: Vec<(String, String, &str, String)> = Vec::new();
    let limits = [
        ("max_lease_seconds", json!(i64::MAX)),
        ("max_lease_seconds", json!(31_622_401)),
        ("default_idle_timeout_seconds", json!(i64::MAX - 1)),
        ("max_total_extension_seconds", json!(i64::MAX)),
        ("monthly_budget_slice_hours", json!(i64::MAX)),
        ("max_live_compute_slices", json!(i32::MAX)),
        ("max_live_memory_gib", json!(10_000_001)),
        ("max_live_leases", json!(-1)),
    ];
    for (field, value) in limits {
        let policy = json!({ field: value });
        let pointer = format!("/policy/{field}");
        cases.push((
            r("POST /v1/tenants"),
            json!({"name": "x", "policy": policy}).to_string(),
            "invalid_input",
            pointer.clone(),
        ));
        cases.push((
            format!("PATCH /v1/tenants/{t}"),
            json!({"policy": policy}).to_string(),
            "invalid_input",
            pointer,
        ));
    }
    for bad in [
        json!(""),
        json!("   "),
        json!("x".repeat(50_000)),
        json!("a\u{7}b"),
    ] {
        cases.push((
            r("POST /v1/tenants"),
            json!({"name": "x", "display_name": bad}).to_string(),
            "invalid_input",
            "display_name".into(),
        ));
        cases.push((
            format!("PATCH /v1/tenants/{t}"),
            json!({"display_name": bad}).to_string(),
            "invalid_input",
            "display_name".into(),
        ));
    }
    cases.push((
        r("POST /v1/tenants"),
        json!({"name": "x", "policy": {"max_live_leases": u64::MAX}}).to_string(),
        "malformed_body",
        "/policy/max_live_leases".into(),
    ));
    let cases: Vec<Case> = cases
        .iter()
        .map(|(req, body, code, field)| {
            (
                req.clone(),
                Some(body.as_str()),
                400,
                *code,
                Some(field.as_str()),
            )
        })
        .collect();
    expect_problems(&app, Some(&admin), &cases).await;
    // At the documented bounds the policy is accepted.
    let bounds = json!({"policy": {"max_lease_seconds": 31_622_400, "max_live_leases": 10_000_000,
                                   "monthly_budget_slice_hours": 1_000_000_000_i64}});
    let r = app
        .request(
            "PATCH",
            &format!("/v1/tenants/{t}"),
            Some(&admin),
            Some(&bounds.to_string()),
            &[],
        )
        .await;
    assert_eq!(r.ok(200)["policy"]["max_lease_seconds"], 31_622_400);
}

#[tokio::test]
async fn enrollment_tokens_and_api_keys_refuse_extremes() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let t = &w.tenant;
    let ttl = |v: Value| json!({"note": "n", "ttl": v}).to_string();
    let bodies = [
        (r("POST /v1/enrollment-tokens"), ttl(json!(i64::MAX)), "ttl"),
        (r("POST /v1/enrollment-tokens"), ttl(json!(HUGE)), "ttl"),
        (
            r("POST /v1/enrollment-tokens"),
            ttl(json!(30 * 86_400 + 1)),
            "ttl",
        ),
        (r("POST /v1/enrollment-tokens"), ttl(json!(-5)), "ttl"),
        (
            r("POST /v1/enrollment-tokens"),
            json!({"note": "x".repeat(50_000)}).to_string(),
            "note",
        ),
        (
            format!("POST /v1/tenants/{t}/api-keys"),
            json!({"name": "x".repeat(50_000), "role": "member"}).to_string(),
            "name",
        ),
        (
            format!("POST /v1/tenants/{t}/api-keys"),
            json!({"name": "", "role": "member"}).to_string(),
            "name",
        ),
    ];
    let cases: Vec<Case> = bodies
        .iter()
        .map(|(req, body, field)| {
            (
                req.clone(),
                Some(body.as_str()),
                400,
                "invalid_input",
                Some(*field),
            )
        })
        .collect();
    expect_problems(&app, Some(&admin), &cases).await;
}

#[tokio::test]
async fn usage_refuses_times_outside_the_printable_range() {
    let app = spawn_app().await;
    let w = world(&app).await;
    #[rustfmt::skip]
    let cases = [
        (r("GET /v1/usage?from=%2B13434-11-04T00:00:00Z&to=%2B13435-01-01T00:00:00Z"), None, 400, "invalid_input", Some("from")),
        (r("GET /v1/usage?from=0001-01-01T00:00:00Z&to=0001-02-01T00:00:00Z"), None, 400, "invalid_input", Some("from")),
        (r("GET /v1/usage?from=2026-01-01T00:00:00Z&to=2028-01-01T00:00:00Z"), None, 400, "invalid_input", Some("to")),
        (r("GET /v1/usage?from=2026-01-01T00:00:00Z&to=1e99"), None, 400, "invalid_input", Some("to")),
    ];
    expect_problems(&app, Some(&w.member), &cases).await;
}

#[tokio::test]
async fn the_agent_protocol_refuses_extreme_numbers() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let token = app
        .post("/v1/enrollment-tokens", &admin, &json!({"ttl": "1h"}))
        .await;
    let token = token.ok(201)["token"].as_str().unwrap().to_owned();
    let gpu = |index: Value, memory: Value| {
        json!({"index": index, "uuid": "GPU-1", "name": "NVIDIA H100 80GB HBM3",
               "pci_device_id": 0x2330_10de_u32, "model": "h100-80gb",
               "memory_total_mib": memory, "mig_mode": {"current": true, "pending": true},
               "profiles": []})
    };
    let register = |g: Value| {
        json!({"enrollment_token": token, "hostname": "n1", "agent_version": "t", "gpus": [g]})
            .to_string()
    };
    let bodies = [
        (
            register(gpu(json!(u32::MAX), json!(81559))),
            "invalid_input",
            "/gpus/0/index",
        ),
        (
            register(gpu(json!(0), json!(u64::MAX))),
            "invalid_input",
            "/gpus/0/memory_total_mib",
        ),
        (
            register(gpu(json!(-1), json!(81559))),
            "malformed_body",
            "/gpus/0/index",
        ),
    ];
    let cases: Vec<Case> = bodies
        .iter()
        .map(|(b, code, field)| {
            (
                r("POST /v1/agent/register"),
                Some(b.as_str()),
                400,
                *code,
                Some(*field),
            )
        })
        .collect();
    expect_problems(&app, None, &cases).await;
    let ok = app
        .request(
            "POST",
            "/v1/agent/register",
            None,
            Some(&register(gpu(json!(0), json!(81559)))),
            &[],
        )
        .await;
    let cred = ok.ok(200)["credential"].as_str().unwrap().to_owned();
    let report = |instance: Value| {
        json!({"applied_generation": 0, "errors": [], "gpus": [{"gpu_uuid": "GPU-1",
               "mig_enabled": true, "instances": [{"lease_id": null, "instance": instance}]}]})
        .to_string()
    };
    let instance = |memory: Value| {
        json!({"id": 1, "profile_id": 14, "profile_index": null,
               "placement": {"start": 0, "size": 2}, "compute_instances": [],
               "memory_used_mib": memory, "memory_total_mib": 19968, "processes": [],
               "activity": null})
    };
    let twice = json!({"applied_generation": 0, "errors": [], "gpus": [{"gpu_uuid": "GPU-1",
        "mig_enabled": true, "instances": [
            {"lease_id": null, "instance": instance(json!(u64::MAX))},
            {"lease_id": null, "instance": instance(json!(u64::MAX))}]}]})
    .to_string();
    #[rustfmt::skip]
    let bodies = [
        (r("POST /v1/agent/observed"), Some(report(instance(json!(u64::MAX)))), "/gpus/0/instances/0/instance/memory_used_mib"),
        (r("POST /v1/agent/observed"), Some(twice), "/gpus/0/instances/0/instance/memory_used_mib"),
        (r("POST /v1/agent/observed"), Some(json!({"applied_generation": u64::MAX, "errors": [], "gpus": []}).to_string()), "applied_generation"),
        (format!("GET /v1/agent/desired?after={}", u128::from(u64::MAX) + 1), None, "after"),
        (format!("GET /v1/agent/desired?wait={}", u64::MAX), None, "wait"),
        (format!("GET /v1/agent/desired?after=0&wait=1&{NIL}=1"), None, NIL),
    ];
    let cases: Vec<Case> = bodies
        .iter()
        .map(|(req, b, field)| {
            (
                req.clone(),
                b.as_deref(),
                400,
                "invalid_input",
                Some(*field),
            )
        })
        .collect();
    expect_problems(&app, Some(&cred), &cases).await;
}
