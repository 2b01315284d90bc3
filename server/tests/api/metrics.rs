//! `/metrics` is valid Prometheus text exposition format (version 0.0.4), line by line; after a
//! scenario of two tenants, one with a busy slice and one with an idle one, the per-slice,
//! per-tenant, per-host and fleet series (lease transitions by from, to and kind among them)
//! carry the expected labels and values; after a report with GPU health, the per-GPU health
//! series do; and every metric
//! name the Grafana dashboard and the alert rules use is one the server exports.

use crate::agents::{desired, enrolled_host, instance, lease_2g, report};
use crate::harness::{TestApp, spawn_app, spawn_with};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap, HashSet};

type Labels = Vec<(String, String)>;
type Samples = HashMap<String, Vec<(Labels, f64)>>;

fn is_name(s: &str, colons: bool) -> bool {
    let mut chars = s.chars();
    let ok_first = |c: char| c.is_ascii_alphabetic() || c == '_' || (colons && c == ':');
    chars.next().is_some_and(ok_first) && chars.all(|c| ok_first(c) || c.is_ascii_digit())
}

fn is_value(s: &str) -> bool {
    matches!(s, "NaN" | "+Inf" | "-Inf") || s.parse::<f64>().is_ok()
}

/// Parses `{a="x",b="y"}` (the part after the metric name); returns the labels and the rest.
fn labels(s: &str) -> Result<(Labels, &str), String> {
    let Some(mut rest) = s.strip_prefix('{') else {
        return Ok((Vec::new(), s));
    };
    let mut out = Vec::new();
    loop {
        if let Some(r) = rest.strip_prefix('}') {
            return Ok((out, r));
        }
        let (name, r) = rest.split_once("=\"").ok_or("label without =\"")?;
        if !is_name(name, false) {
            return Err(format!("bad label name {name:?}"));
        }
        let mut value = String::new();
        let mut chars = r.char_indices();
        let end = loop {
            match chars.next().ok_or("unterminated label value")? {
                (_, '\\') => match chars.next().ok_or("dangling escape")?.1 {
                    c @ ('\\' | '"') => value.push(c),
                    'n' => value.push('\n'),
                    c => return Err(format!("bad escape \\{c}")),
                },
                (i, '"') => break i,
                (_, '\n') => return Err("newline in label value".into()),
                (_, c) => value.push(c),
            }
        };
        out.push((name.to_owned(), value));
        rest = &r[end + 1..];
        rest = rest.strip_prefix(',').unwrap_or(rest);
    }
}

/// Checks the exposition; returns the samples by name.
fn parse(text: &str) -> Result<Samples, String> {
    let mut types: HashMap<String, String> = HashMap::new();
    let mut helped = HashSet::new();
    let mut finished_families = HashSet::new();
    let mut current: Option<String> = None;
    let mut series = HashSet::new();
    let mut samples = Samples::new();
    if !text.ends_with('\n') {
        return Err("the exposition must end with a newline".into());
    }
    for (n, line) in text.lines().enumerate() {
        let at = |e: String| format!("line {}: {e}: {line:?}", n + 1);
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            match (parts.next(), parts.next(), parts.next()) {
                (Some("HELP"), Some(name), _)
                    if !is_name(name, true) || !helped.insert(name.to_owned()) =>
                {
                    return Err(at("bad or repeated HELP".into()));
                }
                (Some("TYPE"), Some(name), Some(kind)) => {
                    let known = ["counter", "gauge", "histogram", "summary", "untyped"];
                    if !is_name(name, true) || !known.contains(&kind) {
                        return Err(at("bad TYPE".into()));
                    }
                    if types.insert(name.to_owned(), kind.to_owned()).is_some() {
                        return Err(at("repeated TYPE".into()));
                    }
                }
                _ => {}
            }
            continue;
        }
        if line.is_empty() {
            continue;
        }
        let name_end = line.find(['{', ' ']).ok_or_else(|| at("no value".into()))?;
        let name = &line[..name_end];
        if !is_name(name, true) {
            return Err(at("bad metric name".into()));
        }
        let (labels, rest) = labels(&line[name_end..]).map_err(at)?;
        let mut fields = rest.split(' ').filter(|f| !f.is_empty());
        let value = fields.next().ok_or_else(|| at("no value".into()))?;
        if !is_value(value) {
            return Err(at("bad value".into()));
        }
        if let Some(ts) = fields.next()
            && ts.parse::<i64>().is_err()
        {
            return Err(at("bad timestamp".into()));
        }
        if fields.next().is_some() {
            return Err(at("trailing fields".into()));
        }
        let family = ["_sum", "_count", "_bucket"]
            .iter()
            .find_map(|s| {
                name.strip_suffix(s).filter(|f| {
                    matches!(
                        types.get(*f).map(String::as_str),
                        Some("summary" | "histogram")
                    )
                })
            })
            .unwrap_or(name);
        if !types.contains_key(family) {
            return Err(at(format!("no TYPE for {family} before its samples")));
        }
        if current.as_deref() != Some(family) {
            if !finished_families.insert(family.to_owned()) {
                return Err(at(format!("samples of {family} are not grouped together")));
            }
            current = Some(family.to_owned());
        }
        let mut key = labels.clone();
        key.sort();
        if !series.insert((name.to_owned(), key)) {
            return Err(at("duplicate series".into()));
        }
        samples
            .entry(name.to_owned())
            .or_default()
            .push((labels, value.parse().unwrap_or(f64::NAN)));
    }
    Ok(samples)
}

#[tokio::test]
async fn metrics_are_valid_prometheus_text() {
    let app = spawn_app().await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let lease = app
        .post(
            "/v1/leases",
            &team,
            &json!({"profile": "1g.10gb", "duration": "1h"}),
        )
        .await;
    let id = lease.ok(201)["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/leases/{id}/release"), &team, &json!({}))
        .await
        .ok(200);
    app.post(
        "/v1/leases",
        &team,
        &json!({"profile": "7g.80gb", "duration": "1h", "count": 2}),
    )
    .await
    .problem(503, "no_capacity");
    app.get("/nowhere", &team).await.problem(404, "not_found");
    app.get(&format!("/v1/leases/{id}"), &team).await.ok(200);

    let r = app.request("GET", "/metrics", None, None, &[]).await;
    assert_eq!(r.status, 200);
    assert!(
        r.content_type.starts_with("text/plain; version=0.0.4"),
        "{}",
        r.content_type
    );
    let text = &r.text;
    let samples = parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(samples["slicebroker_lease_grants_total"][0].1, 1.0);
    let rejected = &samples["slicebroker_lease_rejections_total"];
    assert!(
        rejected
            .iter()
            .any(|(l, n)| l[..] == [("reason".to_owned(), "no_capacity".to_owned())] && *n == 1.0),
        "{text}"
    );
    let counts = &samples["slicebroker_http_request_duration_seconds_count"];
    assert!(
        counts.iter().any(|(l, _)| {
            l.contains(&("route".into(), "/v1/leases/{id}".into()))
                && l.contains(&("status".into(), "2xx".into()))
        }),
        "{text}"
    );
    // A histogram: its +Inf buckets hold every request its counts do (a create granted and
    // one refused on `/v1/leases`).
    let on_leases = |name: &str, le: Option<&str>| {
        samples[name]
            .iter()
            .filter(|(l, _)| {
                l.contains(&("route".into(), "/v1/leases".into()))
                    && le.is_none_or(|le| l.contains(&("le".into(), le.into())))
            })
            .map(|(_, n)| n)
            .sum::<f64>()
    };
    assert_eq!(
        on_leases("slicebroker_http_request_duration_seconds_count", None),
        2.0,
        "{text}"
    );
    assert_eq!(
        on_leases(
            "slicebroker_http_request_duration_seconds_bucket",
            Some("+Inf")
        ),
        2.0,
        "{text}"
    );
    assert!(samples.contains_key("slicebroker_free_capacity"), "{text}");
}

#[test]
fn the_checker_refuses_what_prometheus_would() {
    let ok = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\\\"\"} 3\n";
    assert!(parse(ok).is_ok());
    for bad in [
        "a_total 3\n",
        "# TYPE a counter\na{x=1} 3\n",
        "# TYPE a counter\na 3 4 5\n",
        "# TYPE a counter\na three\n",
        "# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"y\"} 2\n",
        "# TYPE a gauge\na 1\na 2\n",
        "# TYPE a gauge\na 1",
    ] {
        assert!(parse(bad).is_err(), "{bad:?}");
    }
}

/// The names `/metrics` exports: every family with a `TYPE` line and every sample name.
fn exported(text: &str, samples: &Samples) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split(' ').next())
        .map(str::to_owned)
        .chain(samples.keys().cloned())
        .collect()
}

async fn scrape(app: &TestApp) -> (String, Samples) {
    let r = app.request("GET", "/metrics", None, None, &[]).await;
    assert_eq!(r.status, 200);
    let samples = parse(&r.text).unwrap_or_else(|e| panic!("{e}\n{}", r.text));
    (r.text.clone(), samples)
}

/// The value of the one series of `name` whose labels are exactly `labels`.
fn value(samples: &Samples, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let mut want: Vec<(String, String)> = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    want.sort();
    samples.get(name)?.iter().find_map(|(l, v)| {
        let mut l = l.clone();
        l.sort();
        (l == want).then_some(*v)
    })
}

/// What the scenario left: the placements (`start+size`) of team-a's busy slice and team-b's
/// idle one.
struct Scenario {
    busy: String,
    idle: String,
    pending: String,
    team_b: String,
}

/// One enrolled host with one H100; team-a (quota 6 compute slices, budget 100
/// compute-slice-hours) and team-b (no limits) each hold a 2g.20gb, activated by one agent
/// report that shows a process, memory and activity on team-a's and nothing on team-b's; team-b
/// also waits for a 7g.80gb that cannot fit.
async fn scenario(app: &TestApp) -> Scenario {
    let cred = enrolled_host(app, "node-1", "GPU-1").await;
    let (_, team_a) = app
        .tenant(
            "team-a",
            json!({ "max_live_compute_slices": 6, "monthly_budget_slice_hours": 100 }),
        )
        .await;
    let (_, team_b) = app.tenant("team-b", Value::Null).await;
    let g0 = desired(app, &cred, 0, 0).await["generation"]
        .as_u64()
        .unwrap();
    let ids = [lease_2g(app, &team_a).await, lease_2g(app, &team_b).await];
    let d = desired(app, &cred, g0, 5).await;
    let generation = d["generation"].as_u64().unwrap();
    let slices = d["gpus"][0]["slices"].as_array().unwrap().clone();
    assert_eq!(slices.len(), 2, "{d}");
    let start_of = |lease: &str| {
        slices
            .iter()
            .find(|s| s["lease_id"] == lease)
            .map(|s| s["placement"]["start"].as_u64().unwrap() as u8)
            .unwrap()
    };
    let (a, b) = (start_of(&ids[0]), start_of(&ids[1]));
    let mut busy = instance(Some(&ids[0]), 3, "Slice2", a, 2, "MIG-A");
    busy["instance"]["processes"] =
        json!([{ "pid": 4242, "uid": 1000, "command": "python train.py", "memory_mib": 2048 }]);
    busy["instance"]["memory_used_mib"] = json!(2300);
    busy["instance"]["activity"] = json!(0.5);
    let idle = instance(Some(&ids[1]), 4, "Slice2", b, 2, "MIG-B");
    report(app, &cred, generation, "GPU-1", vec![busy, idle], vec![])
        .await
        .ok(200);
    let admin = app.admin_token().await;
    for id in &ids {
        let lease = app.get(&format!("/v1/leases/{id}"), &admin).await;
        assert_eq!(lease.ok(200)["state"], "active", "{}", lease.body);
    }
    let queued = app
        .post(
            "/v1/leases",
            &team_b,
            &json!({ "profile": "7g.80gb", "duration": "1h", "wait": true }),
        )
        .await;
    let pending = queued.ok(202)["id"].as_str().unwrap().to_owned();
    Scenario {
        busy: format!("{a}+2"),
        idle: format!("{b}+2"),
        pending,
        team_b,
    }
}

#[tokio::test]
async fn metrics_show_each_slice_tenant_host_and_the_fleet_after_a_busy_and_an_idle_slice() {
    let app = spawn_app().await;
    let sc = scenario(&app).await;
    let (text, m) = scrape(&app).await;
    let slice = |placement: &str, tenant: &str| {
        [
            ("host", "node-1"),
            ("gpu", "GPU-1"),
            ("model", "h100-80gb"),
            ("placement", placement),
            ("profile", "2g.20gb"),
            ("tenant", tenant),
        ]
        .map(|(k, v)| (k, v.to_owned()))
    };
    let get = |name: &str, labels: &[(&str, String)]| {
        let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
        value(&m, name, &labels).unwrap_or_else(|| panic!("{name} {labels:?}\n{text}"))
    };
    let (busy, idle) = (slice(&sc.busy, "team-a"), slice(&sc.idle, "team-b"));
    assert_eq!(get("slicebroker_slice_busy", &busy), 1.0);
    assert_eq!(get("slicebroker_slice_busy", &idle), 0.0);
    assert_eq!(get("slicebroker_slice_processes", &busy), 1.0);
    assert_eq!(get("slicebroker_slice_processes", &idle), 0.0);
    assert_eq!(
        get("slicebroker_slice_memory_used_bytes", &busy),
        2300.0 * 1_048_576.0
    );
    assert_eq!(get("slicebroker_slice_activity_ratio", &busy), 0.5);
    assert_eq!(
        m["slicebroker_slice_activity_ratio"].len(),
        1,
        "no activity series where none was measured: {text}"
    );
    for s in [&busy, &idle] {
        assert!(get("slicebroker_slice_idle_seconds", s) >= 0.0);
    }
    assert_eq!(m["slicebroker_slice_busy"].len(), 2, "{text}");

    let tenant = |t: &str| [("tenant", t.to_owned())];
    for t in ["team-a", "team-b"] {
        assert_eq!(
            get("slicebroker_tenant_live_compute_slices", &tenant(t)),
            2.0
        );
        assert_eq!(
            get(
                "slicebroker_tenant_leases",
                &[("tenant", t.to_owned()), ("state", "active".to_owned())]
            ),
            1.0
        );
    }
    assert_eq!(
        get("slicebroker_tenant_live_slices", &tenant("team-a")),
        1.0
    );
    assert_eq!(
        get(
            "slicebroker_tenant_leases",
            &[("tenant", "team-b".into()), ("state", "pending".into())]
        ),
        1.0
    );
    assert_eq!(
        get("slicebroker_tenant_quota_compute_slices", &tenant("team-a")),
        6.0
    );
    assert_eq!(
        get(
            "slicebroker_tenant_budget_compute_slice_hours",
            &tenant("team-a")
        ),
        100.0
    );
    // Unlimited: no quota or budget series.
    assert_eq!(
        m["slicebroker_tenant_quota_compute_slices"].len(),
        1,
        "{text}"
    );
    assert_eq!(m["slicebroker_tenant_budget_compute_slice_hours"].len(), 1);
    // 2 compute slices for 8 hours, as far as this month holds them (at most 16 hours).
    let used = get(
        "slicebroker_tenant_budget_used_compute_slice_hours",
        &tenant("team-a"),
    );
    assert!(used > 0.0 && used <= 16.0 + 0.01, "{used}");

    let host = [("host", "node-1".to_owned())];
    assert_eq!(get("slicebroker_host_unreachable", &host), 0.0);
    assert_eq!(get("slicebroker_host_generation_lag", &host), 0.0);
    assert_eq!(get("slicebroker_host_reconcile_behind_seconds", &host), 0.0);
    assert!(get("slicebroker_host_report_age_seconds", &host) >= 0.0);
    let gpus = |state: &str| [("model", "h100-80gb".into()), ("state", state.to_owned())];
    assert_eq!(get("slicebroker_gpus", &gpus("schedulable")), 1.0);
    assert_eq!(get("slicebroker_gpus", &gpus("cordoned")), 0.0);
    assert_eq!(get("slicebroker_pending_leases", &[]), 1.0);
    assert!(get("slicebroker_pending_oldest_wait_seconds", &[]) >= 0.0);
    assert_eq!(
        get("slicebroker_leases", &[("state", "active".into())]),
        2.0
    );
    // An H100 takes at most three 2g.20gb; with two placed, one more fits and no 7g.80gb.
    let fits = [("model", "h100-80gb".into()), ("profile", "7g.80gb".into())];
    assert_eq!(get("slicebroker_largest_profile_fits", &fits), 0.0);
    assert_eq!(
        get(
            "slicebroker_free_capacity",
            &[("model", "h100-80gb".into()), ("profile", "2g.20gb".into())]
        ),
        1.0
    );
    // The one report that applied the newest generation is the one reconcile observed.
    assert_eq!(
        get("slicebroker_reconcile_duration_seconds_count", &[]),
        1.0
    );
    assert_eq!(
        get(
            "slicebroker_reconcile_duration_seconds_bucket",
            &[("le", "+Inf".into())]
        ),
        1.0
    );
    let create = |outcome: &str| [("outcome", outcome.to_owned())];
    assert_eq!(
        get(
            "slicebroker_lease_create_duration_seconds_count",
            &create("granted")
        ),
        2.0
    );
    assert_eq!(
        get(
            "slicebroker_lease_create_duration_seconds_count",
            &create("queued")
        ),
        1.0
    );
    assert!(get("slicebroker_db_pool_max_connections", &[]) >= 1.0);
    assert!(
        !text.contains(&sc.pending),
        "no series carries a lease id: {text}"
    );

    // Cancelling the queued lease ends it: a transition to ended, by reason.
    app.post(
        &format!("/v1/leases/{}/release", sc.pending),
        &sc.team_b,
        &json!({}),
    )
    .await
    .ok(200);
    let (text, m) = scrape(&app).await;
    assert_eq!(
        value(
            &m,
            "slicebroker_leases_ended_total",
            &[("reason", "cancelled")]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(value(&m, "slicebroker_pending_leases", &[]), Some(0.0));

    // Every transition the scenario made, once each, by (from, to, kind); nothing else.
    let transition = |from: &str, to: &str, kind: &str| {
        value(
            &m,
            "slicebroker_lease_transitions_total",
            &[("from", from), ("to", to), ("kind", kind)],
        )
    };
    assert_eq!(
        transition("none", "provisioning", "granted"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        transition("provisioning", "active", "activated"),
        Some(2.0),
        "{text}"
    );
    assert_eq!(transition("none", "pending", "queued"), Some(1.0), "{text}");
    assert_eq!(
        transition("pending", "ended", "cancelled"),
        Some(1.0),
        "{text}"
    );
    let all: f64 = m["slicebroker_lease_transitions_total"]
        .iter()
        .map(|(_, v)| v)
        .sum();
    assert_eq!(all, 6.0, "{text}");
}

#[tokio::test]
async fn per_slice_series_carry_no_tenant_label_when_configured_so() {
    let app = spawn_with(|c| c.metrics_tenant_labels = false).await;
    let sc = scenario(&app).await;
    let (text, m) = scrape(&app).await;
    let labels = [
        ("host", "node-1"),
        ("gpu", "GPU-1"),
        ("model", "h100-80gb"),
        ("placement", sc.idle.as_str()),
        ("profile", "2g.20gb"),
    ];
    assert_eq!(
        value(&m, "slicebroker_slice_busy", &labels),
        Some(0.0),
        "{text}"
    );
    let slice_series = m
        .iter()
        .filter(|(name, _)| name.starts_with("slicebroker_slice_"))
        .flat_map(|(_, series)| series);
    for (l, _) in slice_series {
        assert!(l.iter().all(|(k, _)| k != "tenant"), "{l:?}");
    }
    // Per-tenant series keep theirs.
    assert_eq!(
        value(
            &m,
            "slicebroker_tenant_live_slices",
            &[("tenant", "team-b")]
        ),
        Some(1.0)
    );
}

#[tokio::test]
async fn metrics_show_each_gpus_health_readings_and_its_xids_by_number() {
    let app = spawn_app().await;
    let cred = enrolled_host(&app, "node-1", "GPU-1").await;
    let generation = desired(&app, &cred, 0, 0).await["generation"]
        .as_u64()
        .unwrap();
    let observed = |health: Value| {
        json!({ "applied_generation": generation, "errors": [], "gpus": [
            { "gpu_uuid": "GPU-1", "mig_enabled": true, "instances": [], "health": health }
        ]})
    };
    let health = json!({
        "temperature_c": 83, "power_mw": 415_250,
        "ecc": { "volatile_corrected": 7, "volatile_uncorrected": 1,
                 "aggregate_corrected": 70, "aggregate_uncorrected": 3 },
        "throttle_reasons": ["hw_thermal_slowdown"],
        "xids": [{ "xid": 94, "gpu_instance_id": 1 }, { "xid": 94 }, { "xid": 13 }, { "xid": 31 }],
        "xids_dropped": 2,
    });
    app.post("/v1/agent/observed", &cred, &observed(health))
        .await
        .ok(200);
    let (text, m) = scrape(&app).await;
    let gpu = [("host", "node-1"), ("gpu", "GPU-1"), ("model", "h100-80gb")];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut l = gpu.to_vec();
        l.extend_from_slice(extra);
        l
    };
    assert_eq!(
        value(&m, "slicebroker_gpu_temperature_celsius", &gpu),
        Some(83.0),
        "{text}"
    );
    assert_eq!(value(&m, "slicebroker_gpu_power_watts", &gpu), Some(415.25));
    for (scope, kind, n) in [
        ("volatile", "corrected", 7.0),
        ("volatile", "uncorrected", 1.0),
        ("aggregate", "corrected", 70.0),
        ("aggregate", "uncorrected", 3.0),
    ] {
        let labels = with(&[("scope", scope), ("type", kind)]);
        assert_eq!(
            value(&m, "slicebroker_gpu_ecc_errors_total", &labels),
            Some(n),
            "{text}"
        );
    }
    let throttled = &m["slicebroker_gpu_throttle_reason"];
    assert_eq!(throttled.len(), 1, "only the reason that holds: {text}");
    assert_eq!(
        value(
            &m,
            "slicebroker_gpu_throttle_reason",
            &with(&[("reason", "hw_thermal_slowdown")])
        ),
        Some(1.0)
    );
    let xids = |m: &Samples, xid: &'static str, fatal: &'static str| {
        value(
            m,
            "slicebroker_gpu_xid_errors_total",
            &with(&[("xid", xid), ("fatal", fatal)]),
        )
    };
    assert_eq!(xids(&m, "94", "true"), Some(2.0), "{text}");
    assert_eq!(xids(&m, "other", "false"), Some(2.0), "13 and 31");
    assert_eq!(m["slicebroker_gpu_xid_errors_total"].len(), 2, "{text}");
    assert_eq!(
        value(&m, "slicebroker_gpu_xids_dropped_total", &gpu),
        Some(2.0)
    );

    // The counters only grow; readings no longer measured leave their series.
    let later = json!({ "temperature_c": 60, "xids": [{ "xid": 94 }, { "xid": 79 }] });
    app.post("/v1/agent/observed", &cred, &observed(later))
        .await
        .ok(200);
    let (text, m) = scrape(&app).await;
    assert_eq!(
        value(&m, "slicebroker_gpu_temperature_celsius", &gpu),
        Some(60.0)
    );
    assert_eq!(xids(&m, "94", "true"), Some(3.0), "{text}");
    assert_eq!(xids(&m, "79", "true"), Some(1.0));
    assert_eq!(xids(&m, "other", "false"), Some(2.0));
    for gone in [
        "slicebroker_gpu_power_watts",
        "slicebroker_gpu_ecc_errors_total",
        "slicebroker_gpu_throttle_reason",
    ] {
        assert!(!m.contains_key(gone), "{gone}: {text}");
    }
}

/// Every `slicebroker_…` name in a PromQL expression.
fn metric_names(expr: &str) -> Vec<String> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("slicebroker_") {
        let before = rest[..i].chars().next_back();
        let tail = &rest[i..];
        let end = tail.find(|c: char| !is_name(c)).unwrap_or(tail.len());
        if !before.is_some_and(is_name) {
            out.push(tail[..end].to_owned());
        }
        rest = &tail[end..];
    }
    out
}

/// The `expr` of every panel target in a Grafana dashboard (rows' nested panels included).
fn dashboard_exprs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(e)) = o.get("expr") {
                out.push(e.clone());
            }
            o.values().for_each(|v| dashboard_exprs(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| dashboard_exprs(v, out)),
        _ => {}
    }
}

/// The `expr` of every rule in a Prometheus rules file: a value on the line, or a block
/// scalar (`|`, `>`) of the lines indented deeper than `expr:`.
fn rule_exprs(yaml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut lines = yaml.lines().peekable();
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let Some(value) = trimmed.strip_prefix("expr:") else {
            continue;
        };
        let value = value.trim();
        if !value.starts_with(['|', '>']) {
            out.push(value.to_owned());
            continue;
        }
        let indent = line.len() - trimmed.len();
        let mut block = String::new();
        while let Some(next) = lines.peek() {
            let t = next.trim_start();
            if !t.is_empty() && next.len() - t.len() <= indent {
                break;
            }
            block.push_str(t);
            block.push('\n');
            lines.next();
        }
        out.push(block);
    }
    out
}

#[tokio::test]
async fn the_dashboard_and_the_alert_rules_use_only_metrics_the_server_exports() {
    let app = spawn_app().await;
    scenario(&app).await;
    let (text, samples) = scrape(&app).await;
    let exported = exported(&text, &samples);

    let ops = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ops");
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(ops.join("grafana/slicebroker.json")).unwrap(),
    )
    .expect("the dashboard is JSON");
    let rows: Vec<&str> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "row")
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(rows, ["Fleet", "Tenants", "Slices", "API", "GPU health"]);
    let mut exprs = Vec::new();
    dashboard_exprs(&dashboard, &mut exprs);
    let rules = std::fs::read_to_string(ops.join("prometheus/alerts.yml")).unwrap();
    let rule_exprs = rule_exprs(&rules);
    for alert in [
        "SlicebrokerHostUnreachable",
        "SlicebrokerReconcileStuck",
        "SlicebrokerBudgetNearlyUsed",
        "SlicebrokerWebhookFailing",
        "SlicebrokerGpuFatalXid",
        "SlicebrokerGpuHot",
    ] {
        assert!(rules.contains(&format!("- alert: {alert}\n")), "{alert}");
    }
    assert_eq!(
        rule_exprs.len(),
        rules.matches("- alert: ").count(),
        "one expr per rule"
    );
    assert!(exprs.len() > 20, "{}", exprs.len());

    let mut used = BTreeSet::new();
    for e in exprs.iter().chain(&rule_exprs) {
        let names = metric_names(e);
        assert!(!names.is_empty(), "no slicebroker metric in {e:?}");
        used.extend(names);
    }
    let unknown: Vec<_> = used.iter().filter(|n| !exported.contains(*n)).collect();
    assert!(
        unknown.is_empty(),
        "used but not exported: {unknown:?}\nexported: {exported:?}"
    );
}

#[test]
fn metric_names_are_read_out_of_promql() {
    assert_eq!(
        metric_names(
            "histogram_quantile(0.99, sum by (le) (rate(slicebroker_a_bucket{x=\"slicebroker_no\"}[5m]))) / foo_slicebroker_b + slicebroker_c"
        ),
        ["slicebroker_a_bucket", "slicebroker_no", "slicebroker_c"]
    );
    let yaml = "  - alert: A\n    expr: slicebroker_x > 1\n  - alert: B\n    expr: |\n      slicebroker_y\n        / slicebroker_z\n    for: 5m\n";
    assert_eq!(
        rule_exprs(yaml),
        ["slicebroker_x > 1", "slicebroker_y\n/ slicebroker_z\n"]
    );
}
