//! A JSON body extractor whose rejections are problem+json naming what was wrong.

use crate::app::Error;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;
use serde_path_to_error::Segment;
use slicebroker_types::limits::pointer;

/// Like `axum::Json`, but a bad body is a 400 `malformed_body` problem naming the field at
/// fault (a top-level field by name, a nested one by JSON pointer, `body` when the JSON itself
/// is broken), another content type a 415 and an oversized body a 413, all problem+json.
/// Unknown fields are refused wherever the type says so (every request body does).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<S, T> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_json(req.headers()) {
            return Err(Error::UnsupportedMediaType);
        }
        let bytes = body(req, state).await?;
        parse(&bytes).map(Json)
    }
}

/// For operations that take no body: an empty body, or the empty JSON object some clients
/// always send (`{}`); anything else is a 400 `malformed_body` naming `body`, so a field the
/// client meant to send (a `reason`, say) is not silently dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoBody;

impl<S: Send + Sync> FromRequest<S> for NoBody {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body(req, state).await?;
        let blank = bytes.iter().all(u8::is_ascii_whitespace);
        let empty_object = || {
            serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes)
                .is_ok_and(|m| m.is_empty())
        };
        if blank || empty_object() {
            Ok(NoBody)
        } else {
            Err(Error::malformed(
                "body",
                "this operation takes no body (send none, or `{}`)",
            ))
        }
    }
}

/// The request's body: a 413 past the body limit, else a 400 naming `body`.
async fn body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, Error> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::PayloadTooLarge
        } else {
            Error::malformed("body", e.body_text())
        }
    })
}

/// `application/json`, or any `application/*+json`.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || essence
            .strip_prefix("application/")
            .is_some_and(|s| s.ends_with("+json"))
}

/// Deserialises a body, naming the field an error is about.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut json: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| Error::malformed("body", strip_position(&e.to_string())))?;
    // Every body is an object; serde would read an array as a struct's fields in order.
    if !json.is_object() {
        return Err(Error::malformed("body", "must be a JSON object"));
    }
    if let Some((at, reason)) = suspect(bytes) {
        return Err(Error::malformed(at, reason));
    }
    integral_floats_as_integers(&mut json);
    let value = serde_path_to_error::deserialize(json).map_err(|e| {
        let inner = e.inner();
        let mut segments: Vec<String> = e
            .path()
            .iter()
            .filter_map(|s| match s {
                Segment::Seq { index } => Some(index.to_string()),
                Segment::Map { key } => Some(key.clone()),
                Segment::Enum { variant } => Some(variant.clone()),
                Segment::Unknown => None,
            })
            .collect();
        let message = inner.to_string();
        // A missing field is reported at the object that holds it: name the field itself.
        if let Some(name) = backticked_field(&message)
            && segments.last() != Some(&name)
        {
            segments.push(name);
        }
        let field = if inner.is_syntax() || inner.is_eof() || segments.is_empty() {
            "body".to_owned()
        } else {
            pointer(&segments)
        };
        Error::malformed(field, strip_position(&message))
    })?;
    Ok(value)
}

/// What no typed parse would notice in the (well-formed) JSON `bytes`, as the field's name or
/// JSON pointer (`body` for the body itself) and why, the first in document order: a key given
/// twice in one object (a JSON parser keeps one of the two without a word), or text holding a
/// NUL character, which no PostgreSQL text or JSON value can store (a key with one is named by
/// the object that holds it).
fn suspect(bytes: &[u8]) -> Option<(String, &'static str)> {
    let (mut path, mut found) = (Vec::new(), None);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let _ = serde::de::DeserializeSeed::deserialize(
        Walk {
            path: &mut path,
            found: &mut found,
        },
        &mut de,
    );
    found
}

const TWICE: &str = "given twice in one object (which one is meant?)";
const NUL: &str = "text may not hold the NUL character (`\\u0000`)";

/// Walks a JSON value for [`suspect`], keeping the path to where it is.
struct Walk<'a> {
    path: &'a mut Vec<String>,
    found: &'a mut Option<(String, &'static str)>,
}

impl Walk<'_> {
    fn note(&mut self, reason: &'static str) {
        if self.found.is_none() {
            let at = if self.path.is_empty() {
                "body".to_owned()
            } else {
                pointer(self.path)
            };
            *self.found = Some((at, reason));
        }
    }

    fn child(&mut self) -> Walk<'_> {
        Walk {
            path: &mut *self.path,
            found: &mut *self.found,
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(mut self, v: &str) -> Result<(), E> {
        if v.contains('\0') {
            self.note(NUL);
        }
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        for i in 0.. {
            self.path.push(i.to_string());
            let more = seq.next_element_seed(self.child())?;
            self.path.pop();
            if more.is_none() {
                break;
            }
        }
        Ok(())
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if key.contains('\0') {
                self.note(NUL);
            }
            self.path.push(key.clone());
            if !seen.insert(key) {
                self.note(TWICE);
            }
            map.next_value_seed(self.child())?;
            self.path.pop();
        }
        Ok(())
    }
}

/// `5.0` is the integer 5, as JSON Schema (and so the OpenAPI document) counts it: a client
/// whose JSON library writes whole numbers with a fraction is not refused for it.
fn integral_floats_as_integers(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Number(n) if n.is_f64() => {
            // Only where the float is exact: below 2^53 in magnitude.
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9_007_199_254_740_992.0
            {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// The field an ``unknown field `x` `` or ``missing field `x` `` message names.
fn backticked_field(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("missing field `"))?;
    rest.split('`').next().map(str::to_owned)
}

/// serde_json's ` at line 1 column 30` is noise once the field is named.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        max_live_leases: Option<i32>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        duration: i64,
        count: Option<u32>,
        #[serde(default)]
        policy: Option<Inner>,
        #[serde(default)]
        models: Vec<String>,
        #[serde(default)]
        labels: BTreeMap<String, String>,
    }

    fn field(body: &str) -> String {
        match parse::<Outer>(body.as_bytes()).unwrap_err() {
            Error::MalformedBody { field, .. } => field,
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn the_field_at_fault_is_named_not_the_body() {
        assert_eq!(field(r#"{"duration": null}"#), "duration");
        assert_eq!(field(r#"{"duration": 1, "count": -1}"#), "count");
        assert_eq!(field(r#"{"count": 1}"#), "duration");
        assert_eq!(field(r#"{"duration": 1, "colour": "red"}"#), "colour");
        assert_eq!(
            field(r#"{"duration": 1, "policy": {"max_live_lease": 5}}"#),
            "/policy/max_live_lease"
        );
        assert_eq!(
            field(r#"{"duration": 1, "policy": {"max_live_leases": "x"}}"#),
            "/policy/max_live_leases"
        );
        assert_eq!(field(r#"{"duration": 1, "models": ["a", 3]}"#), "/models/1");
        assert_eq!(
            field(r#"{"duration": 1, "labels": {"a/b": 3}}"#),
            "/labels/a~1b"
        );
    }

    #[test]
    fn broken_json_and_trailing_data_name_the_body() {
        assert_eq!(field("{"), "body");
        assert_eq!(field("[]"), "body");
        assert_eq!(field("[1, 2]"), "body");
        assert_eq!(field("3"), "body");
        assert_eq!(field(r#"{"duration": 1} x"#), "body");
    }

    #[test]
    fn a_nul_character_anywhere_is_refused_naming_where() {
        assert_eq!(
            field(r#"{"duration": 1, "labels": {"k": "a\u0000b"}}"#),
            "/labels/k"
        );
        assert_eq!(
            field(r#"{"duration": 1, "models": ["ok", "\u0000"]}"#),
            "/models/1"
        );
        assert_eq!(field(r#"{"duration": 1, "a\u0000": 1}"#), "body");
        // An escaped backslash before `u0000` is text, not a NUL.
        let o: Outer = parse(br#"{"duration": 1, "labels": {"k": "a\\u0000"}}"#).unwrap();
        assert_eq!(o.labels["k"], "a\\u0000");
    }

    #[test]
    fn a_key_given_twice_is_refused_naming_it() {
        assert_eq!(field(r#"{"duration": 1, "duration": 2}"#), "duration");
        assert_eq!(
            field(r#"{"duration": 1, "policy": {"max_live_leases": 1, "max_live_leases": 2}}"#),
            "/policy/max_live_leases"
        );
        assert_eq!(
            field(r#"{"duration": 1, "models": [{"a": 1}, {"b": 1, "b": 2}]}"#),
            "/models/1/b"
        );
        // The same key in different objects is fine.
        let o: Outer =
            parse(br#"{"duration": 1, "labels": {"duration": "x"}, "count": 2}"#).unwrap();
        assert_eq!(o.count, Some(2));
    }

    #[test]
    fn a_whole_number_written_with_a_fraction_is_an_integer() {
        let o: Outer = parse(br#"{"duration": 3600.0, "count": 2.0}"#).unwrap();
        assert_eq!((o.duration, o.count), (3600, Some(2)));
        assert_eq!(field(r#"{"duration": 1, "count": 2.5}"#), "count");
        assert_eq!(field(r#"{"duration": 1, "count": -1.0}"#), "count");
    }
}
