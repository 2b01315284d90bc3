//! Organisation sign-in rules: which claim values of an external (OIDC) token map to which
//! tenant and role. Pure: the configured rules and a token's verified claims in, a grant out.

use serde::{Deserialize, Deserializer, de};
use serde_json::Value;
use slicebroker_types::api::Role;

/// One rule: a token whose `claim` equals `value` (or, for a list claim such as `groups`,
/// contains it) acts as `role` in the tenant named `tenant`; an `admin` rule names no tenant.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, try_from = "UncheckedRule")]
pub struct Rule {
    /// A top-level claim, or a dotted path into nested objects (`realm_access.roles`).
    pub claim: String,
    pub value: String,
    /// The tenant's name; `None` only for the `admin` role.
    pub tenant: Option<String>,
    pub role: Role,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UncheckedRule {
    claim: String,
    value: String,
    #[serde(default)]
    tenant: Option<String>,
    role: Role,
}

impl TryFrom<UncheckedRule> for Rule {
    type Error = String;

    fn try_from(r: UncheckedRule) -> Result<Self, String> {
        if r.claim.trim().is_empty() || r.value.is_empty() {
            return Err("a rule's `claim` and `value` must not be empty".into());
        }
        match (&r.tenant, r.role) {
            (Some(_), Role::Admin) => {
                Err("an `admin` rule names no tenant (admins act on every tenant)".into())
            }
            (None, role) if role != Role::Admin => Err(format!(
                "the rule for {}={} needs a `tenant` (only `admin` has none)",
                r.claim, r.value
            )),
            (Some(t), _) if t.trim().is_empty() => {
                Err("a rule's `tenant` must not be empty".into())
            }
            _ => Ok(Rule {
                claim: r.claim,
                value: r.value,
                tenant: r.tenant,
                role: r.role,
            }),
        }
    }
}

/// The rules, in order: the first that matches a token decides. Written in the TOML file as an
/// array of tables (`[[oidc_rules]]`), or as one string holding the same TOML inline array
/// (for a variable or a flag): `[{claim="groups", value="gpu-team-vision", tenant="vision",
/// role="member"}]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules(pub Vec<Rule>);

impl<'de> Deserialize<'de> for Rules {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wrapped {
            rules: Vec<Rule>,
        }
        match toml::Value::deserialize(d)? {
            toml::Value::String(text) => {
                let wrapped: Wrapped = toml::from_str(&format!("rules = {text}")).map_err(|e| {
                    de::Error::custom(format!(
                        "expected a TOML array of rules like `[{{claim=\"groups\", value=\"…\", tenant=\"…\", role=\"member\"}}]`: {}",
                        e.message()
                    ))
                })?;
                Ok(Rules(wrapped.rules))
            }
            other => Vec::<Rule>::deserialize(other)
                .map(Rules)
                .map_err(|e| de::Error::custom(e.message())),
        }
    }
}

/// Who a token's claims make the caller: the tenant's name (none for admins) and role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant<'r> {
    pub tenant: Option<&'r str>,
    pub role: Role,
}

impl Rules {
    /// The grant of the first rule the claims match, or `None`: the token is refused.
    pub fn grant(&self, claims: &Value) -> Option<Grant<'_>> {
        self.0
            .iter()
            .find(|r| claim_has(claims, &r.claim, &r.value))
            .map(|r| Grant {
                tenant: r.tenant.as_deref(),
                role: r.role,
            })
    }
}

/// Whether the claim at `path` is `value`, or a list holding it. Only strings match: a
/// number or boolean claim never does, so `"1"` cannot match `1` by accident.
fn claim_has(claims: &Value, path: &str, value: &str) -> bool {
    let at = claims
        .get(path)
        .or_else(|| path.split('.').try_fold(claims, |v, part| v.get(part)));
    match at {
        Some(Value::String(s)) => s == value,
        Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(value)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(text: &str) -> Result<Rules, String> {
        #[derive(Deserialize)]
        struct F {
            oidc_rules: Rules,
        }
        toml::from_str::<F>(text)
            .map(|f| f.oidc_rules)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_file_form_and_the_text_form_read_the_same() {
        let file = rules(
            r#"
            [[oidc_rules]]
            claim = "groups"
            value = "gpu-team-vision"
            tenant = "vision"
            role = "member"
            [[oidc_rules]]
            claim = "groups"
            value = "gpu-admins"
            role = "admin"
            "#,
        )
        .unwrap();
        let text = rules(
            r#"oidc_rules = '[{claim="groups", value="gpu-team-vision", tenant="vision", role="member"}, {claim="groups", value="gpu-admins", role="admin"}]'"#,
        )
        .unwrap();
        assert_eq!(file, text);
        assert_eq!(file.0.len(), 2);
    }

    #[test]
    fn rules_that_cannot_be_meant_are_refused() {
        let e = rules(r#"oidc_rules = [{claim="groups", value="x", role="member"}]"#).unwrap_err();
        assert!(e.contains("needs a `tenant`"), "{e}");
        let e = rules(r#"oidc_rules = [{claim="groups", value="x", tenant="t", role="admin"}]"#)
            .unwrap_err();
        assert!(e.contains("names no tenant"), "{e}");
        let e = rules(r#"oidc_rules = [{claim="groups", value="x", tenant="t", role="owner"}]"#)
            .unwrap_err();
        assert!(e.contains("owner"), "{e}");
        let e = rules(r#"oidc_rules = "not toml""#).unwrap_err();
        assert!(e.contains("expected a TOML array of rules"), "{e}");
    }

    #[test]
    fn the_first_matching_rule_decides_and_only_strings_match() {
        let r = rules(
            r#"oidc_rules = [
                {claim="groups", value="vision-admins", tenant="vision", role="tenant-admin"},
                {claim="groups", value="vision", tenant="vision", role="member"},
                {claim="realm_access.roles", value="ops", role="admin"},
                {claim="team", value="1", tenant="one", role="viewer"},
            ]"#,
        )
        .unwrap();
        let g = r
            .grant(&json!({"groups": ["vision", "vision-admins"]}))
            .unwrap();
        assert_eq!((g.tenant, g.role), (Some("vision"), Role::TenantAdmin));
        let g = r.grant(&json!({"groups": "vision"})).unwrap();
        assert_eq!((g.tenant, g.role), (Some("vision"), Role::Member));
        let g = r
            .grant(&json!({"realm_access": {"roles": ["ops"]}}))
            .unwrap();
        assert_eq!((g.tenant, g.role), (None, Role::Admin));
        assert_eq!(r.grant(&json!({"groups": ["other"]})), None);
        assert_eq!(r.grant(&json!({"team": 1})), None);
        assert_eq!(r.grant(&json!({})), None);
    }
}
