//! Bearer secrets: API keys (`sbk_`), agent enrollment tokens (`sbe_`) and agent credentials
//! (`sba_`), each the prefix + 256 random bits in URL-safe base64. High entropy, so a plain
//! SHA-256 is a sound hash to store and look up by (no salt or slow hash needed, unlike
//! passwords).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

pub const PREFIX: &str = "sbk_";
/// One-time tokens that enroll an agent's host.
pub const ENROLLMENT_PREFIX: &str = "sbe_";
/// A host's agent credential: calls agent endpoints for that host only.
pub const AGENT_PREFIX: &str = "sba_";
const SECRET_BYTES: usize = 32;
/// Base64 of 32 bytes without padding.
const SECRET_CHARS: usize = 43;

/// A freshly generated key: the secret (shown once) and what is stored.
#[derive(Clone)]
pub struct NewKey {
    pub secret: String,
    pub hash: [u8; 32],
    pub prefix: String,
}

impl std::fmt::Debug for NewKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewKey")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

pub fn generate() -> NewKey {
    generate_with(PREFIX)
}

/// A fresh secret of the kind `prefix` names.
pub fn generate_with(prefix: &str) -> NewKey {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).expect("the OS random source is available");
    from_secret(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// The stored form of a key the caller already holds (a bootstrap key from config).
pub fn from_secret(secret: String) -> NewKey {
    NewKey {
        hash: hash(&secret),
        prefix: display_prefix(&secret),
        secret,
    }
}

pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// The kind prefix and the first 6 characters of the secret: enough to tell keys apart, useless
/// to guess.
pub fn display_prefix(secret: &str) -> String {
    secret.chars().take(PREFIX.len() + 6).collect()
}

/// Whether `s` has the shape of one of our API keys (checked before any database lookup).
pub fn looks_like_key(s: &str) -> bool {
    looks_like(PREFIX, s)
}

/// Whether `s` has the shape of a secret of the kind `prefix` names.
pub fn looks_like(prefix: &str, s: &str) -> bool {
    s.strip_prefix(prefix).is_some_and(|rest| {
        rest.len() == SECRET_CHARS
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_are_distinct_well_formed_and_hash_consistently() {
        let a = generate();
        let b = generate();
        assert_ne!(a.secret, b.secret);
        assert!(looks_like_key(&a.secret), "{}", a.secret);
        assert_eq!(a.hash, hash(&a.secret));
        assert_ne!(a.hash, b.hash);
        assert!(a.secret.starts_with(&a.prefix));
        assert!(!format!("{a:?}").contains(&a.secret));
    }

    #[test]
    fn malformed_keys_are_recognised() {
        assert!(!looks_like_key("sbk_short"));
        assert!(!looks_like_key(&format!("xyz_{}", "a".repeat(43))));
        assert!(!looks_like_key(&format!("sbk_{}", "a/".repeat(21) + "a")));
        assert!(looks_like_key(&format!("sbk_{}", "a".repeat(43))));
    }
}
