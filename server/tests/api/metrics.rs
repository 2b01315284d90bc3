//! `/metrics` is valid Prometheus text exposition format (version 0.0.4), line by line.

use crate::harness::spawn_app;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

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
        counts
            .iter()
            .any(|(l, _)| l.contains(&("route".into(), "/v1/leases/{id}".into()))),
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
