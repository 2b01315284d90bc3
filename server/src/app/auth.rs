//! Tokens: API keys are exchanged for short-lived EdDSA JWTs signed by the server's key, whose
//! public half is published as JWKS. Verification accepts only EdDSA with our audience and
//! issuer, so `alg: none`, HMAC-with-the-public-key and foreign tokens are all refused.

use super::Error;
use crate::config::Config;
use crate::domain::api_key;
use crate::store;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet, KeyAlgorithm, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use slicebroker_types::api::Role;
use slicebroker_types::{ApiKeyId, TenantId};
use uuid::Uuid;

/// The claims of the tokens we issue.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The API key the token was issued for.
    pub sub: ApiKeyId,
    /// The key's tenant; absent for fleet admins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<TenantId>,
    pub role: Role,
    pub aud: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
}

/// Who is calling, from a verified token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The API key our token was minted from; `None` for a token of the organisation's
    /// sign-in (an external OIDC issuer).
    pub key_id: Option<ApiKeyId>,
    /// For a signed-in person, their issuer's `sub`.
    pub subject: Option<String>,
    pub tenant: Option<TenantId>,
    pub role: Role,
}

impl Principal {
    /// Who did it, for audit and lease events: `key:<id>`, or `oidc:<sub>` for a person
    /// signed in through the organisation's issuer.
    pub fn actor(&self) -> String {
        match (&self.key_id, &self.subject) {
            (Some(k), _) => format!("key:{k}"),
            (None, Some(sub)) => format!("oidc:{sub}"),
            (None, None) => "unknown".to_owned(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require_admin(&self) -> Result<(), Error> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(Error::Forbidden("this needs the admin role".into()))
        }
    }

    /// The tenant whose objects this caller may see: `None` = all (admins).
    pub fn scope(&self) -> Option<TenantId> {
        if self.is_admin() { None } else { self.tenant }
    }

    /// The caller's own tenant, for operations that act within one.
    pub fn own_tenant(&self) -> Result<TenantId, Error> {
        self.tenant.ok_or_else(|| {
            Error::Forbidden("admin keys belong to no tenant; use a key of the tenant".into())
        })
    }
}

pub struct Signer {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    jwks: JwkSet,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_seconds: i64,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

pub use slicebroker_types::api::IssuedToken;

impl Signer {
    /// From the configured PEM key, else the database's key, else a new one stored there.
    pub async fn load(config: &Config, db: &sqlx::PgPool) -> Result<Self, Error> {
        let der = match &config.jwt_signing_key_pem {
            Some(pem) => EncodingKey::from_ed_pem(pem.expose().as_bytes())
                .map_err(|e| Error::internal(format!("jwt_signing_key_pem: {e}")))?
                .as_bytes()
                .to_vec(),
            None => {
                let existing = store::signing_keys::current(db).await?;
                match existing {
                    Some(row) => row.private_der,
                    None => {
                        let mut seed = [0u8; 32];
                        getrandom::fill(&mut seed)
                            .map_err(|e| Error::internal(format!("random source: {e}")))?;
                        let row = store::signing_keys::SigningKeyRow {
                            kid: Uuid::new_v4().to_string(),
                            private_der: pkcs8_der(seed)?,
                        };
                        store::signing_keys::insert_or_get(db, &row)
                            .await?
                            .private_der
                    }
                }
            }
        };
        Self::from_der(&der, config)
    }

    fn from_der(der: &[u8], config: &Config) -> Result<Self, Error> {
        let encoding = EncodingKey::from_ed_der(der);
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::EdDSA)
            .map_err(|e| Error::internal(format!("signing key: {e}")))?;
        let kid = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|e| Error::internal(format!("signing key thumbprint: {e}")))?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(PublicKeyUse::Signature);
        jwk.common.key_algorithm = Some(KeyAlgorithm::EdDSA);
        let decoding = DecodingKey::from_jwk(&jwk)
            .map_err(|e| Error::internal(format!("verifying key: {e}")))?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_audience(&[&config.jwt_audience]);
        validation.set_issuer(&[&config.jwt_issuer]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        validation.leeway = 5;
        Ok(Self {
            kid,
            encoding,
            decoding,
            jwks: JwkSet { keys: vec![jwk] },
            validation,
            issuer: config.jwt_issuer.clone(),
            audience: config.jwt_audience.clone(),
            ttl_seconds: config.jwt_ttl().as_secs() as i64,
        })
    }

    pub fn jwks(&self) -> &JwkSet {
        &self.jwks
    }

    pub fn issue(&self, key: &store::api_keys::ApiKey, now: i64) -> Result<IssuedToken, Error> {
        let claims = Claims {
            sub: key.id,
            tenant: key.tenant_id,
            role: key.role,
            aud: self.audience.clone(),
            iss: self.issuer.clone(),
            iat: now,
            exp: now + self.ttl_seconds,
            jti: Uuid::new_v4(),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &self.encoding)
            .map_err(|e| Error::internal(format!("signing a token: {e}")))?;
        Ok(IssuedToken {
            access_token: token,
            token_type: "Bearer".into(),
            expires_in: self.ttl_seconds,
        })
    }

    /// Checks signature, algorithm, audience, issuer and expiry.
    pub fn verify(&self, token: &str) -> Result<Principal, Error> {
        use jsonwebtoken::errors::ErrorKind;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| {
                Error::Unauthenticated(match e.kind() {
                    ErrorKind::ExpiredSignature => "the token has expired",
                    ErrorKind::InvalidAudience => "the token is for another audience",
                    ErrorKind::InvalidIssuer => "the token is from another issuer",
                    ErrorKind::InvalidAlgorithm => "the token's algorithm is not accepted",
                    ErrorKind::InvalidSignature => "the token's signature is invalid",
                    _ => "the token is malformed",
                })
            })?;
        let c = data.claims;
        if (c.role == Role::Admin) != c.tenant.is_none() {
            return Err(Error::Unauthenticated(
                "the token's claims are inconsistent",
            ));
        }
        Ok(Principal {
            key_id: Some(c.sub),
            subject: None,
            tenant: c.tenant,
            role: c.role,
        })
    }
}

/// An Ed25519 private key as PKCS#8 v1 DER (the seed alone, no public key: the form
/// `jsonwebtoken` reads, and the one already stored in `signing_keys`).
fn pkcs8_der(seed: [u8; 32]) -> Result<Vec<u8>, Error> {
    use ed25519_dalek::pkcs8::{EncodePrivateKey, KeypairBytes};
    let key = KeypairBytes {
        secret_key: seed,
        public_key: None,
    };
    key.to_pkcs8_der()
        .map(|doc| doc.as_bytes().to_vec())
        .map_err(|e| Error::internal(format!("encoding the signing key: {e}")))
}

/// Exchanges an API key for a token.
pub async fn token_create(
    db: &sqlx::PgPool,
    signer: &Signer,
    api_key_secret: &str,
) -> Result<IssuedToken, Error> {
    const BAD_KEY: &str = "the API key is unknown or revoked";
    if !api_key::looks_like_key(api_key_secret) {
        return Err(Error::Unauthenticated(BAD_KEY));
    }
    let key = store::api_keys::find_active_by_hash(db, &api_key::hash(api_key_secret))
        .await?
        .ok_or(Error::Unauthenticated(BAD_KEY))?;
    signer.issue(&key, chrono::Utc::now().timestamp())
}

/// Encodes bytes the way JWKs do (for tests that forge tokens).
pub fn b64url(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What was hand-written here before, and is in every `signing_keys` row made so far.
    const PKCS8_V1_ED25519_PREFIX: [u8; 16] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];

    #[test]
    fn a_new_signing_key_is_the_seed_in_pkcs8_v1_and_signs() {
        let seed = [7u8; 32];
        let der = pkcs8_der(seed).unwrap();
        assert_eq!(der[..16], PKCS8_V1_ED25519_PREFIX);
        assert_eq!(der[16..], seed);
        let signer = Signer::from_der(&der, &Config::default()).unwrap();
        assert_eq!(signer.jwks().keys.len(), 1);
    }
}
