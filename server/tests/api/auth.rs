//! Authentication: tokens, JWKS, and every way a bad token is refused.

use crate::harness::spawn_app;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

fn forge(claims: &serde_json::Value, alg: Algorithm, key: &EncodingKey) -> String {
    jsonwebtoken::encode(&Header::new(alg), claims, key).unwrap()
}

fn b64(s: &str) -> String {
    slicebroker_server::app::auth::b64url(s.as_bytes())
}

#[tokio::test]
async fn health_ready_and_jwks_are_served() {
    let app = spawn_app().await;
    assert_eq!(
        app.request("GET", "/healthz", None, None, &[]).await.status,
        200
    );
    assert_eq!(
        app.request("GET", "/readyz", None, None, &[]).await.status,
        200
    );
    let jwks = app
        .request("GET", "/.well-known/jwks.json", None, None, &[])
        .await;
    let key = &jwks.ok(200)["keys"][0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert!(key["kid"].is_string());
    assert!(
        key.get("d").is_none(),
        "the private key must never be published"
    );
}

#[tokio::test]
async fn api_key_exchange_rejects_unknown_and_revoked_keys() {
    let app = spawn_app().await;
    let bad = app
        .request(
            "POST",
            "/v1/auth/token",
            None,
            Some(r#"{"api_key":"sbk_nope"}"#),
            &[],
        )
        .await;
    bad.problem(401, "unauthenticated");
    let admin = app.admin_token().await;
    let t = app.post("/v1/tenants", &admin, &json!({"name": "a"})).await;
    let tid = t.ok(201)["id"].as_str().unwrap().to_owned();
    let k = app
        .post(
            &format!("/v1/tenants/{tid}/api-keys"),
            &admin,
            &json!({"name":"k","role":"viewer"}),
        )
        .await;
    let secret = k.ok(201)["secret"].as_str().unwrap().to_owned();
    let kid = k.body["key"]["id"].as_str().unwrap().to_owned();
    app.token(&secret).await;
    app.post(
        &format!("/v1/tenants/{tid}/api-keys/{kid}/revoke"),
        &admin,
        &json!({}),
    )
    .await
    .ok(200);
    let body = json!({ "api_key": secret }).to_string();
    app.request("POST", "/v1/auth/token", None, Some(&body), &[])
        .await
        .problem(401, "unauthenticated");
}

#[tokio::test]
async fn missing_forged_expired_wrong_audience_and_alg_none_tokens_are_401() {
    let app = spawn_app().await;
    let path = "/v1/tenants";
    app.request("GET", path, None, None, &[])
        .await
        .problem(401, "unauthenticated");
    app.request("GET", path, None, None, &[("authorization", "Basic abc")])
        .await
        .problem(401, "unauthenticated");

    let now = chrono::Utc::now().timestamp();
    let admin_claims = |aud: &str, exp: i64| {
        json!({ "sub": uuid::Uuid::new_v4(), "role": "admin", "aud": aud, "iss": "slicebroker",
                "iat": now, "exp": exp, "jti": uuid::Uuid::new_v4() })
    };
    // Signed by a key that is not the server's.
    let mut seed = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    seed.extend_from_slice(&[7u8; 32]);
    let foreign = EncodingKey::from_ed_der(&seed);
    let forged = forge(
        &admin_claims("slicebroker", now + 600),
        Algorithm::EdDSA,
        &foreign,
    );
    let r = app.get(path, &forged).await;
    assert!(
        r.problem(401, "unauthenticated")["detail"]
            .as_str()
            .unwrap()
            .contains("signature")
    );
    // HMAC "signed" with a guessable secret.
    let hs = forge(
        &admin_claims("slicebroker", now + 600),
        Algorithm::HS256,
        &EncodingKey::from_secret(b"x"),
    );
    app.get(path, &hs).await.problem(401, "unauthenticated");
    // alg: none, no signature.
    let none = format!(
        "{}.{}.",
        b64(r#"{"alg":"none","typ":"JWT"}"#),
        b64(&admin_claims("slicebroker", now + 600).to_string())
    );
    app.get(path, &none).await.problem(401, "unauthenticated");
    // Valid tokens of ours, re-signed cannot be made; so check expiry and audience through
    // the server's own configuration: a server with another audience rejects this one's token.
    let token = app.admin_token().await;
    let other = crate::harness::spawn_with(|c| c.jwt_audience = "elsewhere".into()).await;
    other
        .get(path, &token)
        .await
        .problem(401, "unauthenticated");
    let tampered = {
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = b64(&admin_claims("slicebroker", now - 3600).to_string());
        parts.join(".")
    };
    app.get(path, &tampered)
        .await
        .problem(401, "unauthenticated");
    app.get(path, &token).await.ok(200);
}

#[tokio::test]
async fn expired_tokens_are_rejected_with_a_reason() {
    let app = spawn_app().await;
    let key = slicebroker_server::store::api_keys::find_active_by_hash(
        app.app.db(),
        &slicebroker_server::domain::api_key::hash(&app.admin_key),
    )
    .await
    .unwrap()
    .unwrap();
    let stale = app
        .app
        .signer()
        .issue(&key, chrono::Utc::now().timestamp() - 7200)
        .unwrap();
    let r = app.get("/v1/tenants", &stale.access_token).await;
    assert!(
        r.problem(401, "unauthenticated")["detail"]
            .as_str()
            .unwrap()
            .contains("expired")
    );
}

#[tokio::test]
async fn members_cannot_use_admin_endpoints_and_tenant_changes_are_audited() {
    let app = spawn_app().await;
    let (tid, member) = app.tenant("team-a", serde_json::Value::Null).await;
    app.get("/v1/tenants", &member)
        .await
        .problem(403, "forbidden");
    let admin = app.admin_token().await;
    let before = app.snapshot().await;
    let r = app
        .request("PATCH", &format!("/v1/tenants/{tid}"), Some(&admin), Some(r#"{"policy":{"max_live_leases":-1,"max_live_compute_slices":null,"max_live_memory_gib":null,"max_lease_seconds":3600,"max_total_extension_seconds":0,"default_idle_timeout_seconds":60,"allowed_gpu_models":[],"monthly_budget_slice_hours":null}}"#), &[])
        .await;
    assert_eq!(
        r.problem(400, "invalid_input")["field"],
        "/policy/max_live_leases"
    );
    // `null` on a limit that cannot be unlimited is refused, not read as "unchanged".
    for (body, field) in [
        (
            r#"{"policy":{"max_lease_seconds":null}}"#,
            "/policy/max_lease_seconds",
        ),
        (
            r#"{"policy":{"allowed_gpu_models":null}}"#,
            "/policy/allowed_gpu_models",
        ),
        (r#"{"display_name":null}"#, "display_name"),
    ] {
        let r = app
            .request(
                "PATCH",
                &format!("/v1/tenants/{tid}"),
                Some(&admin),
                Some(body),
                &[],
            )
            .await;
        assert_eq!(r.problem(400, "malformed_body")["field"], field, "{body}");
    }
    assert_eq!(
        app.snapshot().await,
        before,
        "a rejected update changes nothing"
    );
    let r = app
        .request(
            "PATCH",
            &format!("/v1/tenants/{tid}"),
            Some(&admin),
            Some(r#"{"display_name":"Team A"}"#),
            &[],
        )
        .await;
    assert_eq!(r.ok(200)["display_name"], "Team A");
    let audit = app.get(&format!("/v1/tenants/{tid}/audit"), &admin).await;
    let entries = audit.ok(200).as_array().unwrap();
    let update = entries
        .iter()
        .find(|e| e["action"] == "tenant.update")
        .unwrap();
    assert_eq!(update["before"]["display_name"], "team-a");
    assert_eq!(update["after"]["display_name"], "Team A");
}

/// RFC 7235: the authentication scheme is case-insensitive.
#[tokio::test]
async fn the_bearer_scheme_is_matched_case_insensitively() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let auth = format!("{scheme} {token}");
        let r = app
            .request(
                "GET",
                "/v1/tenants",
                None,
                None,
                &[("authorization", &auth)],
            )
            .await;
        assert_eq!(r.status, 200, "{scheme}: {}", r.body);
    }
    let r = app
        .request(
            "GET",
            "/v1/tenants",
            None,
            None,
            &[("authorization", &format!("Basic {token}"))],
        )
        .await;
    r.problem(401, "unauthenticated");
}

/// Admin keys are listed and revoked over the API: a leaked one stops working at once; the
/// last one cannot be revoked (nobody could administer the fleet any more).
#[tokio::test]
async fn an_admin_key_is_listed_and_revoked_but_never_the_last() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let keys = app.get("/v1/admin-keys", &admin).await.ok(200).clone();
    let bootstrap = keys[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(keys.as_array().unwrap().len(), 1, "{keys}");
    assert_eq!(keys[0]["role"], "admin");
    let last = format!("/v1/admin-keys/{bootstrap}/revoke");
    let p = app.post(&last, &admin, &json!({})).await;
    assert!(
        p.problem(409, "conflict")["detail"]
            .as_str()
            .unwrap()
            .contains("last admin key"),
        "{}",
        p.body
    );
    // A second admin key, as `slicebroker-server admin create-key` makes it (named as any key).
    let create = |name| slicebroker_server::app::keys::admin_key_create(app.app.db(), name);
    for bad in ["", "  ", "a\u{1}b"] {
        let e = create(bad).await.expect_err("refused");
        assert!(e.to_string().starts_with("name: "), "{bad:?}: {e}");
    }
    let second = create("ops").await.unwrap();
    let ops = app.token(&second.secret).await;
    let revoked = app.post(&last, &ops, &json!({})).await;
    assert!(revoked.ok(200)["revoked_at"].is_string());
    app.get("/v1/tenants", &admin)
        .await
        .problem(401, "unauthenticated");
    app.post(&last, &ops, &json!({}))
        .await
        .problem(409, "already_revoked");
    let own = format!("/v1/admin-keys/{}/revoke", second.key.id);
    app.post(&own, &ops, &json!({}))
        .await
        .problem(409, "conflict");
    // A tenant's key is not an admin key.
    let t = app
        .post("/v1/tenants", &ops, &json!({"name": "team-a"}))
        .await;
    let tid = t.ok(201)["id"].as_str().unwrap().to_owned();
    let k = app
        .post(
            &format!("/v1/tenants/{tid}/api-keys"),
            &ops,
            &json!({"name": "m", "role": "member"}),
        )
        .await;
    let member_key = k.ok(201)["key"]["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/v1/admin-keys/{member_key}/revoke"),
        &ops,
        &json!({}),
    )
    .await
    .problem(404, "not_found");
    let listed = app.get("/v1/admin-keys", &ops).await.ok(200).clone();
    assert_eq!(listed.as_array().unwrap().len(), 2, "{listed}");
}
