//! Organisation sign-in (OIDC), revocation of tokens already minted, and per-tenant rate
//! limits. A small OIDC issuer runs inside the test: its own key pairs, a discovery document
//! and a JWKS, served by axum on port 0; the test mints the issuer's tokens itself.

use crate::harness::{TestApp, spawn_with, wait_until};
use axum::extract::State;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use slicebroker_server::app::sign_in::REFUSED;
use slicebroker_server::config::UnvalidatedConfig;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A throwaway RSA key for this test only (2048 bits; generating one per run is slow).
const RSA_PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7kMBNiKcT4dbb\nLjGdW6tdPQmvJUlz33cEoWVh8pHBnMCq8CRhkfsDi8KM/+DXRXvscD7T6CHe2h+7\nLJD94VAEozkX2vP/gGBlb0VuQ/y/MoHpL4zwQbvW/aGWcKx6zBmC9rOjMkrCCSCS\nvDfUV0gE0L4fCjVhHP1FBzY0Rw2S9yUjVK0rlZT+iSDJJfRZ8d0BXZ+TSZShLqlC\n9qTQB6fCMV7uZuCwazY6oF9VHMnrUehZmU+kFN6EWxVmr1zIfpdI3rClRXjeUvYg\nczfbH0Zy0gZJFSKOkhOiRBoAw9ctwdEOfq1oVTPrTKu1jOSBQ/k1Kr6x3Nl3Aj6w\n+6oyMRrRAgMBAAECggEAGgVm6FrA8x0ttZKfB3mkOHczVL0Th6PE2zuY2RHR7s5U\nXGKcaXzbGg7VmsIU60iUfKTF0pgtusEADfOM2evcMgiC7zBNEXE57liVhUqhUdUr\n+LHEF8DG0ni1Zi2TgCW4lFatbUKY5HpnrnO2OxswvppHBf9gkGx5Jo5tkqsY0v6B\ntpw2WWipdWihPoBrmYOxEut5FiB9s4E3p8HB5xF5111oVerdVpgElcG4XJRupdf1\nCpT6amExm8YZ4qQ/5w+T+EFMuR1qaHmXMOUnNlT8lsqjzVXqlsx7SpdtjVUj7/A7\nNH0tzaOSUJEbILWhFZXZOB6g0Z42i//wDgrHkJxXwQKBgQDdmbugz2zibdwWkfRb\nfxiHmkqQ5wgc3vllIt5nrE9PdKj3p2qmelaql9wwetPRUYPhysu24HEQzG6AN8NX\nHk+/9JtOwB8aHtQo1q1TctAbHFKHrqSXiJdSzzrQShrrjPxH79azAlhiCThbQN1m\nEQW1lZ7kJbPSZ0vVYI6hHliWTQKBgQDYrnwwWtXWGMhVXKbIN1XTW68LeWqxphT3\nSWOKCki027BIGUgLxKCQNBorhZFMjlstkVYvQFQQeo0HXZoSL4wfhwWiszI1lgx+\n1ITnWamGrygi0DoIscLU5eGG2SkNuTTyhJKDuS4J95t5g2sUQPhbVP3q++m6Ez8j\nbhRaaTgglQKBgFMEjO4pxzjsv08VTt4YNzBV9Slj4/4s6nGhJoDgZLX3lnVxGttT\nabRvP+ZJnaEFUMr+FmNkofcRHzSZr2yrxmS7VpOiFgTLF+BUzIo+sQf3DFQYcUDz\nwv0a9YWivYMRRlIM3/ogHsxbd+l323mpVuI4M1Z1aXChkh9WFRj3LWjhAoGBAMBb\nhhxXR2Zdcdt1+QndNfAAgJErJLC4w/wTxq4RGyKTtRcMeo0X7YKW/nSMisTvy7nU\nQDKKZRaL9Q8I5XIni7mhYDtj4br4jfc6KxJG4tySOotNV3fIdzIRMflIZ82rEXoK\nfxc5Gcn3aqqhJDpCwzgxZ4loQcHSvEZzvtXUeuNRAoGAPlgIyoPVPOZIGWAIkTfp\nW3UTIh26mxhx5uiLzI9QWNOBSIanL59IIbcXG9NQOpLgYcDfEpX8iGgSK1J1wMNH\nINIr7ovNb0dhlqZMy9ZsFp7QQhxXZ45WXIm5gfnucWFK7SOU11ouL/sw8/a5ioMh\nLppKfpZ9QX9wFsvaK7NqgMc=\n-----END PRIVATE KEY-----";

const AUDIENCE: &str = "portal";

/// One signing key of the test issuer.
#[derive(Clone)]
struct Key {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Jwk,
}

impl Key {
    fn new(kid: &str, alg: Algorithm, encoding: EncodingKey) -> Self {
        let mut jwk = Jwk::from_encoding_key(&encoding, alg).unwrap();
        jwk.common.key_id = Some(kid.to_owned());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk.common.key_algorithm = Some(KeyAlgorithm::from(alg));
        Self {
            kid: kid.to_owned(),
            alg,
            encoding,
            jwk,
        }
    }

    fn rsa(kid: &str) -> Self {
        Self::new(
            kid,
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(RSA_PEM.as_bytes()).unwrap(),
        )
    }

    fn ec(kid: &str) -> Self {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        Self::new(
            kid,
            Algorithm::ES256,
            EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).unwrap(),
        )
    }

    fn ed(kid: &str, seed: u8) -> Self {
        let mut der = vec![
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        der.extend_from_slice(&[seed; 32]);
        Self::new(kid, Algorithm::EdDSA, EncodingKey::from_ed_der(&der))
    }

    /// A token signed by this key, with this `kid`.
    fn sign(&self, claims: &Value) -> String {
        self.sign_as(&self.kid, claims)
    }

    fn sign_as(&self, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

#[derive(Clone)]
struct IssuerState {
    url: String,
    keys: Arc<Mutex<Vec<Key>>>,
    jwks_fetches: Arc<AtomicUsize>,
}

/// The test's OIDC issuer.
struct Issuer {
    state: IssuerState,
}

impl Issuer {
    async fn start(keys: Vec<Key>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = IssuerState {
            url,
            keys: Arc::new(Mutex::new(keys)),
            jwks_fetches: Arc::new(AtomicUsize::new(0)),
        };
        let router = axum::Router::new()
            .route(
                "/.well-known/openid-configuration",
                axum::routing::get(|State(s): State<IssuerState>| async move {
                    axum::Json(json!({
                        "issuer": s.url,
                        "jwks_uri": format!("{}/keys", s.url),
                        "authorization_endpoint": format!("{}/authorize", s.url),
                        "token_endpoint": format!("{}/token", s.url),
                        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
                    }))
                }),
            )
            .route(
                "/keys",
                axum::routing::get(|State(s): State<IssuerState>| async move {
                    s.jwks_fetches.fetch_add(1, Ordering::SeqCst);
                    let keys = s
                        .keys
                        .lock()
                        .unwrap()
                        .iter()
                        .map(|k| k.jwk.clone())
                        .collect();
                    axum::Json(JwkSet { keys })
                }),
            )
            .with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { state }
    }

    fn url(&self) -> &str {
        &self.state.url
    }

    /// Publishes `keys` instead of the current ones (a key rotation).
    fn publish(&self, keys: Vec<Key>) {
        *self.state.keys.lock().unwrap() = keys;
    }

    fn jwks_fetches(&self) -> usize {
        self.state.jwks_fetches.load(Ordering::SeqCst)
    }

    /// Claims of a person in `groups`, valid for ten minutes.
    fn claims(&self, groups: &[&str]) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": self.url(), "aud": AUDIENCE, "sub": "user-1234", "iat": now,
            "exp": now + 600, "groups": groups, "email": "ada@example.com",
        })
    }
}

/// A server trusting `issuer`: `gpu-team-vision` → vision member, `gpu-vision-viewers` →
/// vision viewer, `gpu-ops` → admin, `gpu-team-ghost` → a tenant that does not exist.
async fn trusting(issuer: &Issuer, tweak: impl FnOnce(&mut UnvalidatedConfig)) -> TestApp {
    let url = issuer.url().to_owned();
    spawn_with(move |c| {
        c.oidc_issuer = Some(url);
        c.oidc_audience = Some(AUDIENCE.into());
        c.oidc_rules = toml::from_str::<toml::Table>(
            r#"rules = [
                { claim = "groups", value = "gpu-team-vision", tenant = "vision", role = "member" },
                { claim = "groups", value = "gpu-vision-viewers", tenant = "vision", role = "viewer" },
                { claim = "groups", value = "gpu-ops", role = "admin" },
                { claim = "groups", value = "gpu-team-ghost", tenant = "ghost", role = "member" },
            ]"#,
        )
        .unwrap()["rules"]
            .clone()
            .try_into()
            .unwrap();
        tweak(c);
    })
    .await
}

fn b64(s: &str) -> String {
    slicebroker_server::app::auth::b64url(s.as_bytes())
}

#[tokio::test]
async fn a_sign_in_token_acts_with_its_mapped_tenant_and_role() {
    let rsa = Key::rsa("rsa-1");
    let issuer = Issuer::start(vec![rsa.clone()]).await;
    let app = trusting(&issuer, |_| {}).await;
    let (vision, _) = app.tenant("vision", Value::Null).await;
    app.seed_fleet(1, 1, "h100-80gb").await;

    let member = rsa.sign(&issuer.claims(&["staff", "gpu-team-vision"]));
    let lease = app
        .post(
            "/v1/leases",
            &member,
            &json!({"profile": "1g.10gb", "duration": "1h"}),
        )
        .await;
    let lease = lease.ok(201);
    assert_eq!(lease["tenant_id"], vision.as_str());
    let listed = app.get("/v1/leases", &member).await;
    assert_eq!(listed.ok(200)["items"].as_array().unwrap().len(), 1);
    // A member is not an admin.
    app.get("/v1/tenants", &member)
        .await
        .problem(403, "forbidden");
    // A viewer sees the tenant's leases but cannot lease.
    let viewer = rsa.sign(&issuer.claims(&["gpu-vision-viewers"]));
    let listed = app.get("/v1/leases", &viewer).await;
    assert_eq!(listed.ok(200)["items"].as_array().unwrap().len(), 1);
    app.post(
        "/v1/leases",
        &viewer,
        &json!({"profile": "1g.10gb", "duration": "1h"}),
    )
    .await
    .problem(403, "forbidden");
    // The admin rule makes a fleet admin.
    let ops = rsa.sign(&issuer.claims(&["gpu-ops"]));
    app.get("/v1/tenants", &ops).await.ok(200);
    // Who acted is the person, in the lease's events.
    let id = lease["id"].as_str().unwrap();
    let events = app.get(&format!("/v1/leases/{id}/events"), &member).await;
    let text = events.ok(200).to_string();
    assert!(text.contains("oidc:user-1234"), "{text}");
}

#[tokio::test]
async fn sign_in_tokens_that_fail_any_check_are_the_same_plain_401() {
    let rsa = Key::rsa("rsa-1");
    let issuer = Issuer::start(vec![rsa.clone()]).await;
    let app = trusting(&issuer, |_| {}).await;
    app.tenant("vision", Value::Null).await;
    let good = issuer.claims(&["gpu-team-vision"]);
    app.get("/v1/leases", &rsa.sign(&good)).await.ok(200);

    let with = |patch: Value| {
        let mut c = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                c.as_object_mut().unwrap().remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let now = chrono::Utc::now().timestamp();
    let other_ec = Key::ec("rsa-1");
    let mut refused: Vec<(&str, String)> = vec![
        (
            "wrong audience",
            rsa.sign(&with(json!({"aud": "someone-else"}))),
        ),
        (
            "expired",
            rsa.sign(&with(json!({"exp": now - 3600, "iat": now - 7200}))),
        ),
        ("not yet valid", rsa.sign(&with(json!({"nbf": now + 3600})))),
        ("no exp", rsa.sign(&with(json!({"exp": null})))),
        ("no sub", rsa.sign(&with(json!({"sub": null})))),
        ("unknown kid", rsa.sign_as("rsa-9", &good)),
        ("no kid", {
            let header = Header::new(Algorithm::RS256);
            jsonwebtoken::encode(&header, &good, &rsa.encoding).unwrap()
        }),
        (
            "unmapped groups",
            rsa.sign(&with(json!({"groups": ["gpu-team-other"]}))),
        ),
        ("no groups", rsa.sign(&with(json!({"groups": null})))),
        ("a group as a number", rsa.sign(&with(json!({"groups": 7})))),
        (
            "mapped to no tenant",
            rsa.sign(&with(json!({"groups": ["gpu-team-ghost"]}))),
        ),
        ("another key's type under the kid", other_ec.sign(&good)),
        (
            "HMAC with the public key",
            jsonwebtoken::encode(
                &{
                    let mut h = Header::new(Algorithm::HS256);
                    h.kid = Some("rsa-1".into());
                    h
                },
                &good,
                &EncodingKey::from_secret(RSA_PEM.as_bytes()),
            )
            .unwrap(),
        ),
        (
            "alg none",
            format!(
                "{}.{}.",
                b64(r#"{"alg":"none","typ":"JWT","kid":"rsa-1"}"#),
                b64(&good.to_string())
            ),
        ),
    ];
    // A valid signature over other claims, spliced onto these claims.
    let tampered = {
        let token = rsa.sign(&good);
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = b64(&with(json!({"groups": ["gpu-ops"]})).to_string());
        parts.join(".")
    };
    refused.push(("claims changed after signing", tampered));
    let bad_signature = {
        let mut t = rsa.sign(&good).into_bytes();
        let i = t.len() - 20;
        t[i] = if t[i] == b'A' { b'B' } else { b'A' };
        String::from_utf8(t).unwrap()
    };
    refused.push(("a broken signature", bad_signature));
    for (what, token) in &refused {
        let r = app.get("/v1/leases", token).await;
        assert_eq!(r.status, 401, "{what}: {}", r.body);
        assert_eq!(r.body["code"], "unauthenticated", "{what}");
        assert_eq!(r.body["detail"], REFUSED, "{what}: says too much");
    }
    // Another issuer's token is not ours to check against this issuer: it goes to the
    // server's own verifier, which refuses it too.
    let foreign = rsa.sign(&with(json!({"iss": "https://elsewhere.example"})));
    app.get("/v1/leases", &foreign)
        .await
        .problem(401, "unauthenticated");
    // Our own tokens work beside the issuer's.
    let admin = app.admin_token().await;
    app.get("/v1/tenants", &admin).await.ok(200);
}

#[tokio::test]
async fn a_key_rotated_at_the_issuer_is_picked_up_whatever_its_algorithm() {
    let rsa = Key::rsa("2025-rsa");
    let issuer = Issuer::start(vec![rsa.clone()]).await;
    let app = trusting(&issuer, |c| c.oidc_refetch_min = "0s".parse().unwrap()).await;
    app.tenant("vision", Value::Null).await;
    let claims = issuer.claims(&["gpu-team-vision"]);
    app.get("/v1/leases", &rsa.sign(&claims)).await.ok(200);
    for next in [Key::ec("2026-ec"), Key::ed("2026-ed", 9)] {
        let token = next.sign(&claims);
        issuer.publish(vec![next.clone()]);
        app.get("/v1/leases", &token).await.ok(200);
    }
    // The retired key's tokens are refused once the issuer stopped publishing it.
    let r = app.get("/v1/leases", &rsa.sign(&claims)).await;
    assert_eq!(r.status, 401, "{}", r.body);
}

#[tokio::test]
async fn unknown_kids_cannot_make_the_server_hammer_the_issuer() {
    let rsa = Key::rsa("rsa-1");
    let issuer = Issuer::start(vec![rsa.clone()]).await;
    let app = trusting(&issuer, |c| c.oidc_refetch_min = "1h".parse().unwrap()).await;
    app.tenant("vision", Value::Null).await;
    let claims = issuer.claims(&["gpu-team-vision"]);
    app.get("/v1/leases", &rsa.sign(&claims)).await.ok(200);
    let fetched = issuer.jwks_fetches();
    assert_eq!(fetched, 1);
    for i in 0..20 {
        let r = app
            .get("/v1/leases", &rsa.sign_as(&format!("forged-{i}"), &claims))
            .await;
        assert_eq!(r.status, 401);
    }
    assert_eq!(issuer.jwks_fetches(), fetched, "a fetch per unknown kid");
    app.get("/v1/leases", &rsa.sign(&claims)).await.ok(200);
}

#[tokio::test]
async fn the_sso_settings_say_whether_and_how_to_sign_in() {
    let plain = crate::harness::spawn_app().await;
    let r = plain.request("GET", "/v1/auth/sso", None, None, &[]).await;
    assert_eq!(
        r.ok(200),
        &json!({"enabled": false, "issuer": null, "authorization_endpoint": null,
                "token_endpoint": null, "client_id": null})
    );
    let issuer = Issuer::start(vec![Key::ed("ed", 3)]).await;
    let app = trusting(&issuer, |c| c.oidc_client_id = Some("dashboard".into())).await;
    let r = app.request("GET", "/v1/auth/sso", None, None, &[]).await;
    assert_eq!(
        r.ok(200),
        &json!({
            "enabled": true,
            "issuer": issuer.url(),
            "authorization_endpoint": format!("{}/authorize", issuer.url()),
            "token_endpoint": format!("{}/token", issuer.url()),
            "client_id": "dashboard",
        })
    );
}

#[tokio::test]
async fn whoami_says_who_any_accepted_token_is() {
    let rsa = Key::rsa("rsa-1");
    let issuer = Issuer::start(vec![rsa.clone()]).await;
    let app = trusting(&issuer, |_| {}).await;
    let (vision, _) = app.tenant("vision", Value::Null).await;

    let member = rsa.sign(&issuer.claims(&["gpu-team-vision"]));
    let me = app.get("/v1/auth/whoami", &member).await;
    assert_eq!(
        me.ok(200),
        &json!({"subject": "oidc:user-1234", "tenant_id": vision.as_str(), "role": "member"})
    );
    let ops = rsa.sign(&issuer.claims(&["gpu-ops"]));
    let me = app.get("/v1/auth/whoami", &ops).await;
    assert_eq!(
        me.ok(200),
        &json!({"subject": "oidc:user-1234", "tenant_id": null, "role": "admin"})
    );
    // One of our own tokens, minted from a key, says which key.
    let own = app.admin_token().await;
    let me = app.get("/v1/auth/whoami", &own).await;
    let me = me.ok(200);
    assert_eq!(me["role"], "admin");
    assert!(me["subject"].as_str().unwrap().starts_with("key:"), "{me}");
    // A token no rule maps, and no token at all, are refused.
    let stranger = rsa.sign(&issuer.claims(&["staff"]));
    app.get("/v1/auth/whoami", &stranger)
        .await
        .problem(401, "unauthenticated");
    let r = app.request("GET", "/v1/auth/whoami", None, None, &[]).await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn the_dashboard_may_reach_the_issuer_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html>").unwrap();
    let issuer = Issuer::start(vec![Key::ed("ed", 3)]).await;
    let web_dir = dir.path().to_owned();
    let app = trusting(&issuer, move |c| c.web_dir = Some(web_dir)).await;
    let r = app.request("GET", "/", None, None, &[]).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let csp = r.header("content-security-policy").unwrap_or_default();
    let origin = issuer.url();
    assert!(
        csp.contains(&format!("connect-src 'self' {origin};")),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("form-action 'self' {origin};")),
        "{csp}"
    );
    assert!(csp.contains("default-src 'self';"), "{csp}");
}

#[tokio::test]
async fn tokens_of_a_revoked_key_are_refused_on_every_replica_within_the_delay() {
    let app = spawn_with(|c| c.key_revocation_delay = "200ms".parse().unwrap()).await;
    let other = app.replica(|_| {}).await;
    let admin = app.admin_token().await;
    let t = app.post("/v1/tenants", &admin, &json!({"name": "a"})).await;
    let tid = t.ok(201)["id"].as_str().unwrap().to_owned();
    let k = app
        .post(
            &format!("/v1/tenants/{tid}/api-keys"),
            &admin,
            &json!({"name": "ci", "role": "member"}),
        )
        .await;
    let secret = k.ok(201)["secret"].as_str().unwrap().to_owned();
    let kid = k.body["key"]["id"].as_str().unwrap().to_owned();
    let token = app.token(&secret).await;
    // Both replicas have seen the key unrevoked.
    app.get("/v1/leases", &token).await.ok(200);
    other.get("/v1/leases", &token).await.ok(200);

    app.post(
        &format!("/v1/tenants/{tid}/api-keys/{kid}/revoke"),
        &admin,
        &json!({}),
    )
    .await
    .ok(200);
    // The replica that revoked it refuses the token at once; the other within the delay.
    app.get("/v1/leases", &token)
        .await
        .problem(401, "unauthenticated");
    wait_until(
        Duration::from_secs(10),
        "the other replica to refuse",
        async || {
            let r = other.get("/v1/leases", &token).await;
            (r.status == 401).then_some(()).ok_or(r.status)
        },
    )
    .await;
    // The admin's own tokens are untouched.
    other.get("/v1/tenants", &admin).await.ok(200);
}

#[tokio::test]
async fn a_tenant_over_its_rate_limit_gets_429_with_retry_after_and_no_one_else_does() {
    let app = spawn_with(|c| {
        c.rate_limit_per_second = "1".parse().unwrap();
        c.rate_limit_burst = "3".parse().unwrap();
    })
    .await;
    let (_, a) = app.tenant("a", Value::Null).await;
    let (_, b) = app.tenant("b", Value::Null).await;
    // Whatever `tenant()` used of the burst, the fourth request within the second is over.
    let mut limited = None;
    for _ in 0..4 {
        let r = app.get("/v1/leases", &a).await;
        if r.status == 429 {
            limited = Some(r);
            break;
        }
        r.ok(200);
    }
    let r = limited.expect("the burst of 3 runs out within 4 requests");
    r.problem(429, "rate_limited");
    assert_eq!(r.content_type, "application/problem+json");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=1).contains(&wait), "{wait}");
    // Another tenant has its own bucket; fleet admins are not limited.
    app.get("/v1/leases", &b).await.ok(200);
    let admin = app.admin_token().await;
    for _ in 0..10 {
        app.get("/v1/tenants", &admin).await.ok(200);
    }
    // After the wait, the tenant is served again.
    wait_until(
        Duration::from_secs(10),
        "tenant a to be served again",
        async || {
            let r = app.get("/v1/leases", &a).await;
            (r.status == 200).then_some(()).ok_or(r.status)
        },
    )
    .await;
}
