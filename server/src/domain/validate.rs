//! Field checks shared by the use cases; each error names the field it is about.

use slicebroker_types::limits::pointer;
use std::collections::BTreeMap;

/// An input that is not acceptable, naming the field: a top-level field, query parameter or
/// header by its name (`duration`), a nested body field by its JSON pointer (`/labels/team`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct Invalid {
    pub field: String,
    pub reason: String,
}

impl Invalid {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

pub const MAX_LABELS: usize = 32;

/// Label keys are short identifiers; values short strings without control characters.
pub fn labels(labels: &BTreeMap<String, String>) -> Result<(), Invalid> {
    if labels.len() > MAX_LABELS {
        return Err(Invalid::new(
            "labels",
            format!("at most {MAX_LABELS} labels are allowed"),
        ));
    }
    for (k, v) in labels {
        let key_ok = !k.is_empty()
            && k.len() <= 63
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
        if !key_ok {
            return Err(Invalid::new(
                pointer(&["labels", k]),
                "keys are 1-63 characters of letters, digits, `-`, `_`, `.` or `/`",
            ));
        }
        if v.chars().count() > 256 {
            return Err(Invalid::new(
                pointer(&["labels", k]),
                "values are at most 256 characters",
            ));
        }
        if v.chars().any(char::is_control) {
            return Err(Invalid::new(
                pointer(&["labels", k]),
                "values may not hold control characters",
            ));
        }
    }
    Ok(())
}

/// Tenant names: lower-case DNS-label style, as the `tenants_name_format` constraint says.
pub fn tenant_name(name: &str) -> Result<(), Invalid> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(Invalid::new(
            "name",
            "must be 1-63 characters of a-z, 0-9 and `-`, not starting with `-`",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_errors_name_the_offending_key() {
        let mut l = BTreeMap::new();
        l.insert("team".to_owned(), "vision".to_owned());
        assert!(labels(&l).is_ok());
        l.insert("bad key".to_owned(), "x".to_owned());
        assert_eq!(labels(&l).unwrap_err().field, "/labels/bad key");
        l.remove("bad key");
        for value in ["a\0b", "line\nbreak", "\u{7f}"] {
            l.insert("note".to_owned(), value.to_owned());
            assert_eq!(labels(&l).unwrap_err().field, "/labels/note", "{value:?}");
        }
    }

    #[test]
    fn tenant_names_follow_the_database_constraint() {
        assert!(tenant_name("ml-vision-2").is_ok());
        for bad in ["", "-x", "Upper", "has space", &"a".repeat(64)] {
            assert_eq!(tenant_name(bad).unwrap_err().field, "name", "{bad:?}");
        }
    }
}
