//! The OpenAPI document: checked in and current, complete, well described, and served with the
//! docs page.

use crate::harness::spawn_app;
use serde_json::Value;
use slicebroker_server::http::openapi;
use std::collections::BTreeSet;

const CHECKED_IN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/slicebroker.json");
const REGENERATE: &str = "cargo run -p slicebroker-server -- openapi > openapi/slicebroker.json";

/// Operations anyone may call, without a token.
const PUBLIC: [&str; 9] = [
    "token_create",
    "jwks_show",
    "sso_show",
    "health_show",
    "readiness_show",
    "metrics_show",
    "openapi_show",
    "docs_show",
    "docs_asset_show",
];

fn document() -> Value {
    serde_json::from_str(&openapi::document_json()).unwrap()
}

/// (path, method, operation) for every operation.
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((path.clone(), method.clone(), op.clone()));
        }
    }
    out
}

/// Like omicron's `test_apis_up_to_date`: a change to the API shows in review as a change to
/// `openapi/slicebroker.json`. `SLICEBROKER_UPDATE_OPENAPI=1` rewrites the file instead.
#[test]
fn openapi_document_is_up_to_date() {
    let current = openapi::document_json();
    if std::env::var_os("SLICEBROKER_UPDATE_OPENAPI").is_some() {
        std::fs::write(CHECKED_IN, &current).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(CHECKED_IN).unwrap_or_default();
    if checked_in != current {
        let first = checked_in
            .lines()
            .zip(current.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| checked_in.lines().count().min(current.lines().count()));
        panic!(
            "openapi/slicebroker.json is out of date (first difference at line {}).\n\
             Regenerate it with\n\n    {REGENERATE}\n\n\
             (or SLICEBROKER_UPDATE_OPENAPI=1 cargo test -p slicebroker-server --test api openapi)\n\
             and commit it with the change to the API.",
            first + 1
        );
    }
}

/// `routes!` registers a handler together with its `#[utoipa::path]`; a bare axum route would
/// serve an operation the document does not show.
#[test]
fn every_route_is_registered_through_utoipa() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/http");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for bare in [
            ".route(",
            ".route_service(",
            ".nest(",
            ".nest_service(",
            "routing::",
        ] {
            assert!(
                !text.contains(bare),
                "{} registers a route with `{bare}`: give the handler a `#[utoipa::path]` and \
                 register it with `utoipa_axum::routes!` so that it is in the OpenAPI document",
                path.display()
            );
        }
    }
}

#[test]
fn every_operation_is_described_for_a_portal_developer() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(
        doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
        "bearer"
    );
    assert_eq!(doc["security"], serde_json::json!([{ "bearerAuth": [] }]));
    let tags: BTreeSet<&str> = doc["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut ids = BTreeSet::new();
    for (path, method, op) in operations(&doc) {
        let at = format!("{method} {path}");
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{at}: no operationId"));
        assert!(ids.insert(id.to_owned()), "{at}: operationId {id} twice");
        assert!(id.contains('_'), "{at}: operationId {id} is not noun_verb");
        for field in ["summary", "description"] {
            let text = op[field].as_str().unwrap_or("");
            assert!(!text.trim().is_empty(), "{id}: no {field}");
        }
        let op_tags = op["tags"]
            .as_array()
            .unwrap_or_else(|| panic!("{id}: no tag"));
        assert!(
            op_tags.len() == 1 && tags.contains(op_tags[0].as_str().unwrap()),
            "{id}: tags {op_tags:?} are not one of {tags:?}"
        );
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{id}: no success response"
        );
        assert!(responses.contains_key("500"), "{id}: no 500");
        if PUBLIC.contains(&id) {
            assert_eq!(op["security"], serde_json::json!([]), "{id} is public");
        } else if id.starts_with("agent_") {
            assert!(
                op["security"].to_string().contains("agentAuth"),
                "{id} takes an agent credential"
            );
            assert!(responses.contains_key("401"), "{id}: no 401");
        } else {
            assert!(op.get("security").is_none(), "{id} must keep bearerAuth");
            assert!(responses.contains_key("401"), "{id}: no 401");
        }
        let takes_input = op.get("parameters").is_some() || op.get("requestBody").is_some();
        if takes_input || !PUBLIC.contains(&id) {
            assert!(
                responses.keys().any(|s| s.starts_with('4')),
                "{id}: no 4xx problem response"
            );
        }
        for (status, response) in responses {
            if status.starts_with(['4', '5']) {
                let name = response["$ref"]
                    .as_str()
                    .and_then(|r| r.strip_prefix("#/components/responses/"))
                    .unwrap_or_else(|| panic!("{id} {status}: not a shared problem response"));
                let content = &doc["components"]["responses"][name]["content"];
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{id} {status}: {name} is not problem+json"
                );
            }
        }
    }
    assert!(ids.len() >= 30, "only {} operations", ids.len());
}

#[test]
fn every_reference_in_the_document_resolves() {
    fn walk(doc: &Value, v: &Value) {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    let target = r
                        .strip_prefix('#')
                        .and_then(|p| doc.pointer(p))
                        .unwrap_or_else(|| panic!("{r} does not resolve"));
                    assert!(!target.is_null(), "{r} does not resolve");
                }
                map.values().for_each(|v| walk(doc, v));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(doc, v)),
            _ => {}
        }
    }
    let doc = document();
    walk(&doc, &doc);
}

#[test]
fn problem_codes_are_listed_in_the_document_and_the_readme() {
    let doc = document();
    let listed = &doc["components"]["schemas"]["KnownProblemCode"]["enum"];
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/README.md"))
            .unwrap();
    for (code, status, _) in slicebroker_server::http::problem::CODES {
        assert!(
            listed.as_array().unwrap().iter().any(|c| c == code),
            "{code} is not in the ProblemCode schema"
        );
        assert!(
            readme.contains(&format!("| `{code}` | {status} |")),
            "openapi/README.md does not list `{code}` ({status}) in its table"
        );
    }
}

#[tokio::test]
async fn openapi_json_and_the_docs_page_are_served_without_a_token() {
    let app = spawn_app().await;

    let (status, headers, body) = app.get_raw("/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/json");
    let checked_in = std::fs::read_to_string(CHECKED_IN).unwrap();
    assert_eq!(
        std::str::from_utf8(&body).unwrap(),
        checked_in,
        "/openapi.json differs from openapi/slicebroker.json; regenerate it with {REGENERATE}"
    );

    let (status, headers, page) = app.get_raw("/docs").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(headers.contains_key("content-security-policy"));
    let page = String::from_utf8(page.to_vec()).unwrap();
    for (asset, content_type) in [
        ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        ("swagger-ui.css", "text/css; charset=utf-8"),
        ("swagger-initializer.js", "text/javascript; charset=utf-8"),
    ] {
        assert!(
            page.contains(&format!("\"docs/{asset}\"")),
            "the page loads {asset}"
        );
        let (status, headers, body) = app.get_raw(&format!("/docs/{asset}")).await;
        assert_eq!(status, 200, "{asset}");
        assert_eq!(headers["content-type"], content_type, "{asset}");
        assert_eq!(headers["cache-control"], "public, max-age=86400", "{asset}");
        assert!(body.len() > 100, "{asset} is empty");
    }
    let (_, _, init) = app.get_raw("/docs/swagger-initializer.js").await;
    assert!(
        std::str::from_utf8(&init)
            .unwrap()
            .contains("url: \"openapi.json\"")
    );

    app.request("GET", "/docs/secrets.txt", None, None, &[])
        .await
        .problem(404, "not_found");
}

/// What generated clients rely on: no third "unset" state for fields that are always sent,
/// events typed by kind, an open set of problem codes, distinct create answers.
#[test]
fn the_document_is_exact_where_generated_clients_depend_on_it() {
    let doc = document();
    let schemas = &doc["components"]["schemas"];
    let required = |schema: &str| -> Vec<String> {
        schemas[schema]["required"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema} has required fields"))
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    for (schema, field) in [
        ("Lease", "ends_at"),
        ("Lease", "end_reason"),
        ("LeaseSlice", "cuda_visible_devices"),
        ("LeaseSlice", "mig_device_uuid"),
        ("AuditRecord", "before"),
        ("LeasePage", "next_cursor"),
    ] {
        assert!(
            required(schema).iter().any(|f| f == field),
            "{schema}.{field} is always sent, so required"
        );
    }
    assert!(!required("Problem").iter().any(|f| f == "field"));

    let events = &schemas["LeaseEvent"];
    assert_eq!(events["discriminator"]["propertyName"], "kind");
    let kinds = schemas["LeaseEventKind"]["enum"].as_array().unwrap();
    let mapping = events["discriminator"]["mapping"].as_object().unwrap();
    assert_eq!(mapping.len(), kinds.len(), "every event kind has a variant");
    for kind in kinds {
        let name = mapping[kind.as_str().unwrap()]
            .as_str()
            .unwrap()
            .trim_start_matches("#/components/schemas/");
        assert_eq!(schemas[name]["properties"]["kind"]["enum"][0], *kind);
        assert_eq!(schemas[name]["properties"]["detail"]["type"], "object");
    }

    let code = &schemas["ProblemCode"]["anyOf"];
    assert_eq!(code[0]["$ref"], "#/components/schemas/KnownProblemCode");
    assert_eq!(code[1]["type"], "string");
    assert!(code[1].get("enum").is_none(), "unknown codes are allowed");

    let create = &doc["paths"]["/v1/leases"]["post"]["responses"];
    for status in ["200", "201", "202"] {
        assert!(create[status]["links"]["LeaseShow"].is_object(), "{status}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415"] {
                    assert!(
                        op["responses"].get(status).is_some(),
                        "{method} {path} lists {status}"
                    );
                }
            }
        }
    }
}

/// With `run_migrations` off, a database this build's migrations have not all been applied to
/// is refused at start, saying what to run (not an SQL error from the first query).
#[tokio::test]
async fn a_server_told_not_to_migrate_refuses_a_database_behind_it() {
    use slicebroker_server::config::{Secret, UnvalidatedConfig};
    use slicebroker_server::{App, Config};
    let url = crate::harness::fresh_database().await;
    let config = UnvalidatedConfig {
        database_url: Secret::new(url),
        run_migrations: false,
        ..UnvalidatedConfig::default()
    };
    let err = App::start(Config::try_from(config).unwrap())
        .await
        .expect_err("refused");
    let text = err.to_string();
    assert!(text.contains("0 of this server's"), "{text}");
    assert!(text.contains("slicebroker-server migrate"), "{text}");
}
