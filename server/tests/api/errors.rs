//! The 4xx paths of every endpoint, one endpoint family at a time: each answer is problem+json
//! with a stable code, names the offending field where there is one, and changes nothing.
//! Lease-specific refusals are in `lease_errors`; the case tables are laid out one request a
//! line, so rustfmt is told to leave them be.

use crate::harness::{TestApp, spawn_app};
use serde_json::{Value, json};

pub const NIL: &str = "00000000-0000-0000-0000-000000000000";

/// A tenant with a member and a viewer token, one granted lease, and a GPU and its host.
pub struct World {
    pub tenant: String,
    pub member: String,
    pub viewer: String,
    pub lease: String,
    pub gpu: String,
    pub host: String,
}

pub async fn world(app: &TestApp) -> World {
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (tenant, member) = app.tenant("team-a", Value::Null).await;
    let admin = app.admin_token().await;
    let key = json!({"name": "ro", "role": "viewer"});
    let k = app
        .post(&format!("/v1/tenants/{tenant}/api-keys"), &admin, &key)
        .await;
    let viewer = app.token(k.ok(201)["secret"].as_str().unwrap()).await;
    let lease = json!({"profile": "1g.10gb", "duration": "1h"});
    let lease = app.post("/v1/leases", &member, &lease).await;
    let lease = lease.ok(201)["id"].as_str().unwrap().to_owned();
    let gpus = app.get("/v1/gpus", &admin).await;
    let gpu = gpus.ok(200)[0]["id"].as_str().unwrap().to_owned();
    let host = gpus.body[0]["host_id"].as_str().unwrap().to_owned();
    World {
        tenant,
        member,
        viewer,
        lease,
        gpu,
        host,
    }
}

/// A request (`"METHOD /path"`, body) and the problem it must get (status, code, field).
pub type Case<'a> = (String, Option<&'a str>, u16, &'static str, Option<&'a str>);

/// Sends each request and checks the problem it gets: status, code and `field` (`None`: the
/// problem must not name one). Then checks that the database did not change.
pub async fn expect_problems(app: &TestApp, token: Option<&str>, cases: &[Case<'_>]) {
    let before = app.snapshot().await;
    for (req, body, status, code, field) in cases {
        let (method, path) = req.split_once(' ').expect("METHOD /path");
        let r = app.request(method, path, token, *body, &[]).await;
        assert_eq!(r.status, *status, "{req}: {}", r.body);
        let p = r.problem(*status, code);
        match field {
            Some(f) => assert_eq!(p["field"], *f, "{req}: {p}"),
            None => assert!(p.get("field").is_none(), "{req}: {p}"),
        }
        assert!(p["detail"].as_str().is_some_and(|d| !d.is_empty()), "{p}");
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "rejected requests leave the database unchanged"
    );
}

/// `"METHOD /path"` in a case table.
pub fn r(s: impl Into<String>) -> String {
    s.into()
}

const LEASE: Option<&str> = Some(r#"{"profile":"1g.10gb","duration":"1h"}"#);
const KEY: Option<&str> = Some(r#"{"name":"k","role":"member"}"#);
const BY: Option<&str> = Some(r#"{"by":"1h"}"#);

/// Every route that needs a token, with a body where it takes one.
fn protected_routes(w: &World) -> Vec<(String, Option<&'static str>)> {
    let (t, l, g, h) = (&w.tenant, &w.lease, &w.gpu, &w.host);
    #[rustfmt::skip]
    let routes = vec![
        (r("GET /v1/tenants"), None),
        (r("POST /v1/tenants"), Some(r#"{"name":"x"}"#)),
        (format!("GET /v1/tenants/{t}"), None),
        (format!("PATCH /v1/tenants/{t}"), Some("{}")),
        (format!("GET /v1/tenants/{t}/audit"), None),
        (format!("GET /v1/tenants/{t}/api-keys"), None),
        (format!("POST /v1/tenants/{t}/api-keys"), KEY),
        (format!("POST /v1/tenants/{t}/api-keys/{NIL}/revoke"), None),
        (r("GET /v1/classes"), None),
        (r("POST /v1/classes/x"), Some("{}")),
        (r("PATCH /v1/classes/x"), Some("{}")),
        (r("DELETE /v1/classes/x"), None),
        (r("GET /v1/classes/x/audit"), None),
        (r("GET /v1/leases"), None),
        (r("POST /v1/leases"), LEASE),
        (format!("GET /v1/leases/{l}"), None),
        (format!("POST /v1/leases/{l}/extend"), BY),
        (format!("POST /v1/leases/{l}/release"), None),
        (format!("POST /v1/leases/{l}/revoke"), None),
        (format!("GET /v1/leases/{l}/events"), None),
        (r("GET /v1/gpus"), None),
        (r("GET /v1/hosts"), None),
        (r("GET /v1/capacity"), None),
        (format!("POST /v1/gpus/{g}/cordon"), None),
        (format!("POST /v1/gpus/{g}/uncordon"), None),
        (format!("POST /v1/hosts/{h}/cordon"), None),
        (format!("POST /v1/hosts/{h}/uncordon"), None),
        (r("GET /v1/usage?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z"), None),
        (r("GET /v1/usage/rightsizing?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z"), None),
        (r("GET /v1/rates"), None),
        (r("PUT /v1/rates"), Some(r#"{"rates":[]}"#)),
        (r("GET /v1/rates/audit"), None),
        (r("GET /v1/audit"), None),
        (r("GET /v1/admin-keys"), None),
        (format!("POST /v1/admin-keys/{NIL}/revoke"), None),
    ];
    routes
}

#[tokio::test]
async fn every_protected_route_refuses_missing_and_unsigned_tokens() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let b64 = |s: &str| slicebroker_server::app::auth::b64url(s.as_bytes());
    let now = chrono::Utc::now().timestamp();
    let claims = json!({ "sub": uuid::Uuid::new_v4(), "role": "admin", "aud": "slicebroker",
                         "iss": "slicebroker", "iat": now, "exp": now + 600 });
    let unsigned = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&claims.to_string())
    );
    for token in [None, Some(unsigned.as_str()), Some("not-a-jwt")] {
        let cases: Vec<Case> = protected_routes(&w)
            .into_iter()
            .map(|(req, body)| (req, body, 401, "unauthenticated", None))
            .collect();
        expect_problems(&app, token, &cases).await;
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_are_problems() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let l = &w.lease;
    #[rustfmt::skip]
    let cases = [
        (r("GET /nope"), None, 404, "not_found", None),
        (r("GET /v1/leases/x/y/z"), None, 404, "not_found", None),
        (r("DELETE /v1/leases"), None, 405, "method_not_allowed", None),
        (r("GET /v1/auth/token"), None, 405, "method_not_allowed", None),
        (format!("PUT /v1/leases/{l}"), Some("{}"), 405, "method_not_allowed", None),
        (format!("GET /v1/leases/{l}/release"), None, 405, "method_not_allowed", None),
    ];
    expect_problems(&app, Some(&admin), &cases).await;
}

#[tokio::test]
async fn malformed_path_ids_name_the_parameter() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let t = &w.tenant;
    let bad = |req: &str, body, field| (r(req), body, 400, "invalid_input", Some(field));
    #[rustfmt::skip]
    let cases = [
        bad("GET /v1/leases/123", None, "id"),
        bad("POST /v1/leases/123/extend", BY, "id"),
        bad("POST /v1/leases/123/release", None, "id"),
        bad("POST /v1/leases/123/revoke", None, "id"),
        bad("GET /v1/leases/123/events", None, "id"),
        bad("GET /v1/tenants/123", None, "id"),
        bad("PATCH /v1/tenants/zz", Some("{}"), "id"),
        bad("GET /v1/tenants/123/audit", None, "id"),
        bad("GET /v1/tenants/123/api-keys", None, "id"),
        bad("POST /v1/tenants/123/api-keys", KEY, "id"),
        bad(&format!("POST /v1/tenants/nope/api-keys/{NIL}/revoke"), None, "id"),
        bad(&format!("POST /v1/tenants/{t}/api-keys/not-a-key/revoke"), None, "key_id"),
        bad("POST /v1/gpus/123/cordon", None, "id"),
        bad("POST /v1/gpus/123/uncordon", None, "id"),
        bad("POST /v1/hosts/123/cordon", None, "id"),
        bad("POST /v1/hosts/123/uncordon", None, "id"),
    ];
    expect_problems(&app, Some(&admin), &cases).await;
    let r = app.get("/v1/leases/123", &admin).await;
    assert!(
        r.body["detail"].as_str().unwrap().contains("`123`"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn malformed_bodies_wrong_content_types_and_oversized_bodies_are_problems() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let (t, l) = (&w.tenant, &w.lease);
    let malformed =
        |req: String, body, field| (req, Some(body), 400, "malformed_body", Some(field));
    const CT: &str = "Content-Type";
    #[rustfmt::skip]
    let cases = [
        malformed(r("POST /v1/auth/token"), "{", "body"),
        malformed(r("POST /v1/auth/token"), "{}", "api_key"),
        malformed(r("POST /v1/tenants"), "[]", "body"),
        malformed(r("POST /v1/tenants"), r#"{"name":"a","colour":"red"}"#, "colour"),
        malformed(format!("PATCH /v1/tenants/{t}"), r#"{"policy":{"max_lease_seconds":"long"}}"#, "/policy/max_lease_seconds"),
        malformed(format!("PATCH /v1/tenants/{t}"), r#"{"policy":{"max_live_lease":5}}"#, "/policy/max_live_lease"),
        malformed(format!("POST /v1/tenants/{t}/api-keys"), r#"{"name":"k","role":"owner"}"#, "role"),
        malformed(format!("POST /v1/tenants/{t}/api-keys"), r#"{"name":"k","role":"superuser"}"#, "role"),
        malformed(format!("POST /v1/leases/{l}/extend"), r#"{"by":true}"#, "by"),
        malformed(r("POST /v1/leases"), r#"{"profile":"1g.10gb","duration":[]}"#, "duration"),
        malformed(r("POST /v1/leases"), r#"{"profile":"1g.10gb","duration":"1h","count":-1}"#, "count"),
        malformed(r("POST /v1/leases"), r#"{"profile":"1g.10gb","duration":"1h","labels":{"a":1}}"#, "/labels/a"),
        malformed(r("POST /v1/enrollment-tokens"), r#"{"note":"x","ttl":"1h","colour":1}"#, "colour"),
        (format!("POST /v1/leases/{l}/extend"), None, 415, "unsupported_media_type", Some(CT)),
    ];
    expect_problems(&app, Some(&admin), &cases).await;

    let before = app.snapshot().await;
    let plain = [("content-type", "text/plain")];
    let r = app
        .request("POST", "/v1/leases", Some(&w.member), LEASE, &plain)
        .await;
    assert_eq!(
        r.problem(415, "unsupported_media_type")["field"],
        "Content-Type"
    );
    let huge = json!({"profile": "1g.10gb", "duration": "1h",
                      "labels": {"pad": "x".repeat(100 * 1024)}})
    .to_string();
    let r = app
        .request("POST", "/v1/leases", Some(&w.member), Some(&huge), &[])
        .await;
    assert_eq!(r.problem(413, "payload_too_large")["field"], "body");
    assert_eq!(app.snapshot().await, before);
}

#[tokio::test]
async fn viewers_cannot_create_extend_or_release_leases() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (t, l) = (&w.tenant, &w.lease);
    let forbidden = |req: String, body| (req, body, 403, "forbidden", None);
    #[rustfmt::skip]
    let cases = [
        forbidden(r("POST /v1/leases"), LEASE),
        forbidden(format!("POST /v1/leases/{l}/extend"), BY),
        forbidden(format!("POST /v1/leases/{l}/release"), None),
        forbidden(format!("POST /v1/leases/{l}/revoke"), None),
        forbidden(format!("GET /v1/tenants/{t}/api-keys"), None),
    ];
    expect_problems(&app, Some(&w.viewer), &cases).await;
    // Reading is what viewers are for.
    app.get(&format!("/v1/leases/{l}"), &w.viewer).await.ok(200);
    app.get("/v1/leases", &w.viewer).await.ok(200);
}

#[tokio::test]
async fn members_cannot_use_admin_endpoints_nor_admins_lease() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (t, l, g, h) = (&w.tenant, &w.lease, &w.gpu, &w.host);
    let forbidden = |req: String, body| (req, body, 403, "forbidden", None);
    #[rustfmt::skip]
    let cases = [
        forbidden(r("GET /v1/tenants"), None),
        forbidden(r("POST /v1/tenants"), Some(r#"{"name":"b"}"#)),
        forbidden(format!("PATCH /v1/tenants/{t}"), Some(r#"{"display_name":"x"}"#)),
        forbidden(format!("GET /v1/tenants/{t}/audit"), None),
        forbidden(format!("GET /v1/tenants/{t}/api-keys"), None),
        forbidden(format!("POST /v1/tenants/{t}/api-keys"), KEY),
        forbidden(format!("POST /v1/leases/{l}/revoke"), None),
        forbidden(format!("POST /v1/gpus/{g}/cordon"), None),
        forbidden(format!("POST /v1/gpus/{g}/uncordon"), None),
        forbidden(format!("POST /v1/hosts/{h}/cordon"), None),
        forbidden(format!("POST /v1/hosts/{h}/uncordon"), None),
        forbidden(r("PUT /v1/rates"), Some(r#"{"rates":[]}"#)),
        forbidden(r("GET /v1/rates/audit"), None),
        forbidden(r("GET /v1/audit"), None),
        forbidden(r("GET /v1/audit?limit=0"), None),
        forbidden(r("GET /v1/admin-keys"), None),
        forbidden(format!("POST /v1/admin-keys/{NIL}/revoke"), None),
    ];
    expect_problems(&app, Some(&w.member), &cases).await;
    // Admin keys belong to no tenant, so they cannot hold leases.
    let admin = app.admin_token().await;
    expect_problems(
        &app,
        Some(&admin),
        &[forbidden(r("POST /v1/leases"), LEASE)],
    )
    .await;
}

/// Authorization comes before validation: a caller whose role may not do something learns
/// that, not what was wrong with the body it sent.
#[tokio::test]
async fn a_caller_without_the_role_is_refused_before_its_body_is_read() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let (t, l) = (&w.tenant, &w.lease);
    let forbidden = |req: String, body| (req, body, 403, "forbidden", None);
    let bad = Some(r#"{"nonsense": [1, 2]}"#);
    #[rustfmt::skip]
    let members = [
        forbidden(r("POST /v1/tenants"), bad),
        forbidden(format!("PATCH /v1/tenants/{t}"), bad),
        forbidden(r("PUT /v1/rates"), Some("{}")),
        forbidden(r("POST /v1/classes/c"), bad),
        forbidden(r("PATCH /v1/classes/c"), bad),
        forbidden(r("POST /v1/enrollment-tokens"), bad),
        forbidden(r("POST /v1/webhooks"), bad),
        forbidden(format!("PATCH /v1/webhooks/{NIL}"), bad),
        forbidden(format!("POST /v1/tenants/{t}/api-keys"), bad),
        forbidden(format!("POST /v1/tenants/{t}/webhooks"), bad),
        forbidden(format!("PATCH /v1/tenants/{t}/webhooks/{NIL}"), bad),
    ];
    expect_problems(&app, Some(&w.member), &members).await;
    #[rustfmt::skip]
    let viewers = [
        forbidden(r("POST /v1/leases"), bad),
        forbidden(format!("POST /v1/leases/{l}/extend"), Some("[]")),
    ];
    expect_problems(&app, Some(&w.viewer), &viewers).await;
}

#[tokio::test]
async fn unknown_and_other_tenants_objects_are_not_found() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let (t, l, n) = (&w.tenant, &w.lease, NIL);
    let missing = |req: String, body| (req, body, 404, "not_found", None);
    #[rustfmt::skip]
    let cases = [
        missing(format!("GET /v1/tenants/{n}"), None),
        missing(format!("PATCH /v1/tenants/{n}"), Some(r#"{"display_name":"x"}"#)),
        missing(format!("GET /v1/tenants/{n}/audit"), None),
        missing(format!("GET /v1/tenants/{n}/api-keys"), None),
        missing(format!("POST /v1/tenants/{n}/api-keys"), KEY),
        missing(format!("POST /v1/tenants/{t}/api-keys/{n}/revoke"), None),
        missing(format!("GET /v1/leases/{n}"), None),
        missing(format!("POST /v1/leases/{n}/extend"), BY),
        missing(format!("POST /v1/leases/{n}/release"), None),
        missing(format!("POST /v1/leases/{n}/revoke"), None),
        missing(format!("GET /v1/leases/{n}/events"), None),
        missing(format!("POST /v1/gpus/{n}/cordon"), None),
        missing(format!("POST /v1/gpus/{n}/uncordon"), None),
        missing(format!("POST /v1/hosts/{n}/cordon"), None),
        missing(format!("POST /v1/hosts/{n}/uncordon"), None),
    ];
    expect_problems(&app, Some(&admin), &cases).await;
    // Another tenant's member sees none of team-a.
    let (_, other) = app.tenant("team-b", Value::Null).await;
    let day = "from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z";
    #[rustfmt::skip]
    let cases = [
        missing(format!("GET /v1/tenants/{t}"), None),
        missing(format!("GET /v1/tenants/{t}/api-keys"), None),
        missing(format!("POST /v1/tenants/{t}/api-keys"), KEY),
        missing(format!("GET /v1/leases/{l}"), None),
        missing(format!("GET /v1/leases/{l}/events"), None),
        missing(format!("POST /v1/leases/{l}/extend"), BY),
        missing(format!("POST /v1/leases/{l}/release"), None),
        missing(format!("GET /v1/usage?{day}&tenant_id={t}"), None),
        missing(format!("GET /v1/leases?tenant_id={t}"), None),
        missing(format!("GET /v1/usage/rightsizing?{day}&tenant_id={t}"), None),
    ];
    expect_problems(&app, Some(&other), &cases).await;
}

#[tokio::test]
async fn tenant_key_and_token_inputs_are_checked() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let t = &w.tenant;
    let key = json!({"name": "gone", "role": "member"});
    let k = app
        .post(&format!("/v1/tenants/{t}/api-keys"), &admin, &key)
        .await;
    let kid = k.ok(201)["key"]["id"].as_str().unwrap().to_owned();
    let revoke = format!("/v1/tenants/{t}/api-keys/{kid}/revoke");
    app.post(&revoke, &admin, &json!({})).await.ok(200);
    let mut zero_lease =
        json!({"name": "b", "policy": slicebroker_server::domain::tenant::TenantPolicy::default()});
    zero_lease["policy"]["max_lease_seconds"] = json!(0);
    let zero_lease = zero_lease.to_string();
    let invalid = |req: String, body, field| (req, Some(body), 400, "invalid_input", Some(field));
    #[rustfmt::skip]
    let cases = [
        invalid(r("POST /v1/tenants"), r#"{"name":"Team A"}"#, "name"),
        (r("POST /v1/tenants"), Some(r#"{"name":"team-a"}"#), 409, "conflict", None),
        invalid(r("POST /v1/tenants"), &zero_lease, "/policy/max_lease_seconds"),
        invalid(format!("PATCH /v1/tenants/{t}"), r#"{"display_name":" "}"#, "display_name"),
        invalid(format!("POST /v1/tenants/{t}/api-keys"), r#"{"name":"","role":"member"}"#, "name"),
        invalid(format!("POST /v1/tenants/{t}/api-keys"), r#"{"name":"r","role":"admin"}"#, "role"),
        (format!("POST {revoke}"), None, 409, "already_revoked", None),
    ];
    expect_problems(&app, Some(&admin), &cases).await;
    let unknown = r#"{"api_key":"sbk_0000000000000000000000000000000000000000000"}"#;
    #[rustfmt::skip]
    let cases = [
        (r("POST /v1/auth/token"), Some(unknown), 401, "unauthenticated", None),
        (r("POST /v1/auth/token"), Some(r#"{"api_key":""}"#), 401, "unauthenticated", None),
    ];
    expect_problems(&app, None, &cases).await;
}

/// One rule for query strings: every operation refuses a parameter it does not declare, naming
/// it, whether or not it reads its query at all.
#[tokio::test]
async fn unknown_query_parameters_are_refused_on_every_operation() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let admin = app.admin_token().await;
    let (t, l, g) = (&w.tenant, &w.lease, &w.gpu);
    let unknown = |req: String, field| (req, None, 400, "invalid_input", Some(field));
    #[rustfmt::skip]
    let cases = [
        unknown(r("GET /v1/capacity?colour=red"), "colour"),
        unknown(format!("GET /v1/leases/{l}?colour=red"), "colour"),
        unknown(format!("GET /v1/leases/{l}/events?x=1"), "x"),
        unknown(format!("POST /v1/leases/{l}/release?force=true"), "force"),
        unknown(r("GET /v1/leases?state=active&stat=active"), "stat"),
        unknown(r("GET /v1/gpus?model=h100-80gb"), "model"),
        unknown(r("GET /v1/hosts?x"), "x"),
        unknown(format!("POST /v1/gpus/{g}/cordon?now=1"), "now"),
        unknown(r("GET /v1/tenants?name=team-a"), "name"),
        unknown(format!("GET /v1/tenants/{t}?expand=keys"), "expand"),
        unknown(r("GET /v1/usage?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&tenant=x"), "tenant"),
        unknown(r("GET /v1/enrollment-tokens?all=1"), "all"),
        unknown(r("GET /v1/rates?model=x"), "model"),
        unknown(r("GET /healthz?verbose=1"), "verbose"),
        // Given twice: named, not "query".
        unknown(r("GET /v1/leases?limit=1&limit=2"), "limit"),
        unknown(r("GET /v1/leases?label=a=b&label=c=d"), "label"),
    ];
    expect_problems(&app, Some(&admin), &cases).await;
    // Declared parameters still work, percent-encoded or not.
    app.get("/v1/leases?st%61te=active", &admin).await.ok(200);
}
