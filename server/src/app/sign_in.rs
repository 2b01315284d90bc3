//! Organisation sign-in: tokens of an external OpenID Connect issuer, trusted by config.
//!
//! Keys come from the issuer's discovery document (`<issuer>/.well-known/openid-configuration`
//! → `jwks_uri`) and are cached; a token naming a `kid` we do not hold makes us fetch them
//! again, at most once per `oidc_refetch_min`, so forged tokens cannot make us hammer the
//! issuer. A token must carry a `kid`, an asymmetric algorithm its key is for (RS*, PS*, ES256,
//! ES384, EdDSA; never `none` or HMAC), our issuer and audience, `exp` and `sub`, and claims
//! that a sign-in rule maps to a tenant that exists. Every refusal is the same 401: the
//! caller learns nothing about which check failed (the log at DEBUG says).

use super::Error;
use super::auth::Principal;
use crate::config::{Config, Rules};
use crate::store;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use slicebroker_client::{Client, RetryPolicy};
use slicebroker_types::TenantId;
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// The one answer to a token that fails any check.
pub const REFUSED: &str = "the token is not valid";

/// Keys older than this are fetched again when next needed.
const KEYS_MAX_AGE: Duration = Duration::from_secs(3600);
/// A tenant name not in the cache makes us re-read tenants at most this often.
const TENANTS_REFRESH_MIN: Duration = Duration::from_secs(1);

const ACCEPTED: [Algorithm; 9] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

pub struct SignIn {
    issuer: String,
    audience: String,
    client_id: String,
    rules: Rules,
    refetch_min: Duration,
    http: Client,
    keys: RwLock<Keys>,
    /// Held while fetching, so concurrent unknown `kid`s cause one fetch.
    fetching: tokio::sync::Mutex<Option<Instant>>,
    tenants: tokio::sync::Mutex<Tenants>,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignIn")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

/// Verifying keys by `kid`, each with the algorithm its JWK names (if it names one).
type KeysByKid = HashMap<String, (DecodingKey, Option<Algorithm>)>;

#[derive(Default)]
struct Keys {
    by_kid: KeysByKid,
    fetched_at: Option<Instant>,
    authorization_endpoint: Option<String>,
    token_endpoint: Option<String>,
}

#[derive(Default)]
struct Tenants {
    by_name: HashMap<String, TenantId>,
    read_at: Option<Instant>,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
    #[serde(default)]
    authorization_endpoint: Option<String>,
    #[serde(default)]
    token_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct KeySet {
    keys: Vec<Value>,
}

/// What the dashboard needs to sign people in (authorization code flow with PKCE).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoSettings {
    pub issuer: String,
    pub client_id: String,
    pub authorization_endpoint: Option<String>,
    pub token_endpoint: Option<String>,
}

/// Where the dashboard's sign-in goes, as origins (`https://login.example.com`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignInOrigins {
    pub token: Option<String>,
    pub authorization: Option<String>,
}

impl SignIn {
    /// `None` when no issuer is configured.
    pub fn from_config(config: &Config) -> Result<Option<Self>, Error> {
        let (Some(issuer), Some(audience)) = (&config.oidc_issuer, &config.oidc_audience) else {
            return Ok(None);
        };
        let http = Client::builder(issuer)
            .connect_timeout(Duration::from_secs(5))
            .request_timeout(Duration::from_secs(5))
            .retry(RetryPolicy::none())
            .max_body_bytes(1 << 20)
            .user_agent(concat!("slicebroker-server/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("oidc_issuer: {e}")))?;
        Ok(Some(Self {
            issuer: issuer.clone(),
            audience: audience.clone(),
            client_id: config
                .oidc_client_id
                .clone()
                .unwrap_or_else(|| audience.clone()),
            rules: config.oidc_rules.clone(),
            refetch_min: config.oidc_refetch_min(),
            http,
            keys: RwLock::new(Keys::default()),
            fetching: tokio::sync::Mutex::new(None),
            tenants: tokio::sync::Mutex::new(Tenants::default()),
        }))
    }

    /// Whether `token` says it is from our issuer (read without checking anything: which
    /// verifier to use, not whether to trust it).
    pub fn claims_issuer(&self, token: &str) -> bool {
        unverified_issuer(token).is_some_and(|iss| iss == self.issuer)
    }

    /// The issuer, client id and (once the discovery document was read) the authorization
    /// and token endpoints, for `GET /v1/auth/sso`.
    pub async fn sso_settings(&self) -> SsoSettings {
        self.discover().await;
        let keys = self.keys.read().unwrap();
        SsoSettings {
            issuer: self.issuer.clone(),
            client_id: self.client_id.clone(),
            authorization_endpoint: keys.authorization_endpoint.clone(),
            token_endpoint: keys.token_endpoint.clone(),
        }
    }

    /// Reads the discovery document unless it was read within the hour (or a read was tried
    /// within `oidc_refetch_min`).
    pub async fn discover(&self) {
        if self.stale() {
            self.fetch().await;
        }
    }

    /// The origins the dashboard must reach for sign-in, for its content security policy: the
    /// token endpoint's (it posts the code there) and the authorization endpoint's (it sends
    /// the browser there), each the issuer's own until the discovery document was read. Only
    /// well-formed `https` (or loopback `http`) origins, so nothing the issuer publishes can
    /// add other sources or directives to the policy.
    pub fn origins(&self) -> SignInOrigins {
        let keys = self.keys.read().unwrap();
        let of = |endpoint: &Option<String>| match endpoint {
            Some(url) => origin(url),
            None => origin(&self.issuer),
        };
        SignInOrigins {
            token: of(&keys.token_endpoint),
            authorization: of(&keys.authorization_endpoint),
        }
    }

    /// Checks the token and maps it to a tenant and role.
    pub async fn verify(&self, db: &sqlx::PgPool, token: &str) -> Result<Principal, Error> {
        let refused = |why: &str| {
            tracing::debug!(why, "sign-in token refused");
            Error::Unauthenticated(REFUSED)
        };
        let header = jsonwebtoken::decode_header(token).map_err(|_| refused("bad header"))?;
        if !ACCEPTED.contains(&header.alg) {
            return Err(refused("algorithm not accepted"));
        }
        let kid = header.kid.ok_or_else(|| refused("no kid"))?;
        if self.stale() {
            self.fetch().await;
        }
        let key = match self.key(&kid) {
            Some(k) => k,
            None => {
                self.fetch().await;
                self.key(&kid).ok_or_else(|| refused("unknown kid"))?
            }
        };
        let (key, key_alg) = key;
        if key_alg.is_some_and(|a| a != header.alg)
            || !key.family().algorithms().contains(&header.alg)
        {
            return Err(refused("algorithm not the key's"));
        }
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        let claims = jsonwebtoken::decode::<Value>(token, &key, &validation)
            .map_err(|e| refused(&format!("{:?}", e.kind())))?
            .claims;
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            // It becomes the actor (`oidc:<sub>`) in audit entries and lease events.
            .filter(|s| !s.is_empty() && s.len() <= 255)
            .ok_or_else(|| refused("no sub, or one over 255 bytes"))?;
        let grant = self
            .rules
            .grant(&claims)
            .ok_or_else(|| refused("no rule matches"))?;
        let tenant = match grant.tenant {
            Some(name) => Some(
                self.tenant_id(db, name)
                    .await?
                    .ok_or_else(|| refused("mapped tenant does not exist"))?,
            ),
            None => None,
        };
        Ok(Principal {
            key_id: None,
            subject: Some(sub.to_owned()),
            tenant,
            role: grant.role,
        })
    }

    /// The key named `kid`, if held. Keys past their age are still used while the issuer
    /// cannot be reached: an outage there should not sign everyone out.
    fn key(&self, kid: &str) -> Option<(DecodingKey, Option<Algorithm>)> {
        self.keys.read().unwrap().by_kid.get(kid).cloned()
    }

    /// Whether the keys were never read or are older than [`KEYS_MAX_AGE`].
    fn stale(&self) -> bool {
        self.keys
            .read()
            .unwrap()
            .fetched_at
            .is_none_or(|t| t.elapsed() >= KEYS_MAX_AGE)
    }

    /// Fetches the discovery document and key set, unless the last fetch began less than
    /// `oidc_refetch_min` ago. A failure keeps the keys held and is logged.
    async fn fetch(&self) {
        let mut last = self.fetching.lock().await;
        if last.is_some_and(|t| t.elapsed() < self.refetch_min) {
            return;
        }
        *last = Some(Instant::now());
        match self.read_keys().await {
            Ok((by_kid, doc)) => {
                let mut keys = self.keys.write().unwrap();
                *keys = Keys {
                    by_kid,
                    fetched_at: Some(Instant::now()),
                    authorization_endpoint: doc.authorization_endpoint,
                    token_endpoint: doc.token_endpoint,
                };
            }
            Err(e) => {
                tracing::warn!(issuer = %self.issuer, error = %e, "cannot read the sign-in issuer's keys")
            }
        }
    }

    /// The issuer's signing keys and its discovery document.
    async fn read_keys(&self) -> Result<(KeysByKid, Discovery), String> {
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.issuer.trim_end_matches('/')
        );
        let doc: Discovery = self
            .http
            .get(&url)
            .call()
            .await
            .map_err(|e| e.to_string())?;
        if doc.issuer != self.issuer {
            return Err(format!(
                "the discovery document names issuer `{}`, not `{}`",
                doc.issuer, self.issuer
            ));
        }
        if !crate::config::issuer_url_ok(&doc.jwks_uri) {
            return Err(format!("jwks_uri `{}` is not https", doc.jwks_uri));
        }
        let set: KeySet = self
            .http
            .get(&doc.jwks_uri)
            .call()
            .await
            .map_err(|e| e.to_string())?;
        let mut by_kid = HashMap::new();
        // Keys we cannot use (encryption keys, unknown types) are skipped, not fatal.
        for value in set.keys {
            let Ok(jwk) = serde_json::from_value::<Jwk>(value) else {
                continue;
            };
            let for_signing = jwk
                .common
                .public_key_use
                .as_ref()
                .is_none_or(|u| *u == jsonwebtoken::jwk::PublicKeyUse::Signature);
            let (Some(kid), true) = (jwk.common.key_id.clone(), for_signing) else {
                continue;
            };
            // A key for another algorithm (`RSA-OAEP`: encryption) is not ours to use.
            let alg = match jwk.common.key_algorithm {
                None => None,
                Some(a) => match a.to_string().parse::<Algorithm>() {
                    Ok(a) if ACCEPTED.contains(&a) => Some(a),
                    _ => continue,
                },
            };
            if let Ok(key) = DecodingKey::from_jwk(&jwk) {
                by_kid.insert(kid, (key, alg));
            }
        }
        Ok((by_kid, doc))
    }

    /// The id of the tenant named `name`, re-reading tenants (at most once a second) when the
    /// name is not known yet.
    async fn tenant_id(&self, db: &sqlx::PgPool, name: &str) -> Result<Option<TenantId>, Error> {
        let mut tenants = self.tenants.lock().await;
        if let Some(id) = tenants.by_name.get(name) {
            return Ok(Some(*id));
        }
        if tenants
            .read_at
            .is_some_and(|t| t.elapsed() < TENANTS_REFRESH_MIN)
        {
            return Ok(None);
        }
        let all = store::tenants::list(db).await?;
        tenants.by_name = all.into_iter().map(|t| (t.name, t.id)).collect();
        tenants.read_at = Some(Instant::now());
        Ok(tenants.by_name.get(name).copied())
    }
}

/// `scheme://host[:port]` of `url`, when it is an https URL (or http to a loopback host) whose
/// host and port hold only the characters a host name, IP address or port can.
fn origin(url: &str) -> Option<String> {
    if !crate::config::issuer_url_ok(url.split(['?', '#']).next().unwrap_or("")) {
        return None;
    }
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let ok = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    ok.then(|| format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// The `iss` claim of a JWT, read without verifying anything.
fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    #[derive(Deserialize)]
    struct Iss {
        iss: String,
    }
    serde_json::from_slice::<Iss>(&bytes).ok().map(|c| c.iss)
}

#[cfg(test)]
mod tests {
    use super::origin;

    #[test]
    fn origins_are_only_well_formed_https_or_loopback_http() {
        assert_eq!(
            origin("https://Login.Example.com/realms/corp/protocol/openid-connect/auth").as_deref(),
            Some("https://login.example.com")
        );
        assert_eq!(
            origin("https://idp.example.com:8443/token?x=1").as_deref(),
            Some("https://idp.example.com:8443")
        );
        assert_eq!(
            origin("http://127.0.0.1:9000/authorize").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        for bad in [
            "http://idp.example.com/token",
            "https://idp.example.com;script-src *",
            "https://idp example.com/",
            "https://user@idp.example.com/",
            "javascript:alert(1)",
            "https:///token",
            "",
        ] {
            assert_eq!(origin(bad), None, "{bad}");
        }
    }
}
