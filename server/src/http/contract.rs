//! What the derived OpenAPI document cannot say by itself, said on its JSON before it is
//! served or checked in: fields the server always sends are `required`; lease event and audit
//! payloads are typed per kind; `Problem.code` is an open set; the statuses any operation can
//! answer with outside its handler (400 for an undeclared query parameter or a bad path id,
//! 413, 415, 503 on a timeout) are listed on every operation they apply to; and the rules the
//! server enforces on input are in the schemas, so that a schema-valid request is accepted.

use serde_json::{Map, Value, json};

/// Response fields the server leaves out when they do not apply (`skip_serializing_if`); every
/// other field of a response object is always sent, `null` where it is unset.
const OPTIONAL: &[(&str, &str)] = &[
    ("Problem", "field"),
    ("Problem", "free"),
    ("Problem", "next_free_at"),
    ("AgentRegistration", "credential"),
];

pub fn refine(doc: &mut Value) {
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("the document has schemas");
    require_response_fields(schemas);
    open_problem_codes(schemas);
    type_lease_events(schemas);
    type_audit_images(schemas);
    input_rules(schemas);
    let responses = doc["components"]["responses"]
        .as_object_mut()
        .expect("the document has responses");
    add_transport_responses(responses);
    add_links(doc);
    parameter_rules(doc);
    for item in doc["paths"]
        .as_object_mut()
        .expect("the document has paths")
        .values_mut()
    {
        for (method, op) in item.as_object_mut().expect("a path item").iter_mut() {
            if matches!(method.as_str(), "get" | "put" | "post" | "delete" | "patch") {
                transport_statuses(method, op);
            }
        }
    }
}

/// Request types refuse unknown fields (`additionalProperties: false`); the rest are responses.
fn require_response_fields(schemas: &mut Map<String, Value>) {
    for (name, schema) in schemas.iter_mut() {
        if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
            continue;
        }
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let required: Vec<Value> = props
            .keys()
            .filter(|p| !OPTIONAL.contains(&(name.as_str(), p.as_str())))
            .map(|p| Value::String(p.clone()))
            .collect();
        schema["required"] = Value::Array(required);
    }
}

/// Known codes listed, any other string allowed: a client must not break on a new code.
fn open_problem_codes(schemas: &mut Map<String, Value>) {
    let mut known = schemas.remove("ProblemCode").expect("ProblemCode");
    let description = known["description"].take();
    known.as_object_mut().unwrap().remove("description");
    known["description"] = json!("A code this version of the API documents.");
    schemas.insert("KnownProblemCode".into(), known);
    schemas.insert(
        "ProblemCode".into(),
        json!({
            "description": format!(
                "{}\n\nAn open set: new codes may be added, so treat a code you do not know \
                 by the response's status.",
                description.as_str().unwrap_or_default()
            ),
            "anyOf": [
                {"$ref": "#/components/schemas/KnownProblemCode"},
                {"type": "string", "description": "A code added after this document."}
            ]
        }),
    );
}

fn date_time() -> Value {
    json!({"type": "string", "format": "date-time"})
}

/// The `detail` of each event kind, as the server writes it.
fn event_details() -> Vec<(&'static str, &'static str, Value)> {
    let reason = json!({"type": "string", "description": "Why: the end reason, or what went wrong in words."});
    let ends = json!({
        "type": "object",
        "required": ["ends_at"],
        "properties": {"ends_at": date_time()}
    });
    let idle = json!({
        "idle_since": date_time(),
        "idle_seconds": {"type": "integer", "format": "int64"},
        "idle_timeout_seconds": {"type": "integer", "format": "int64"}
    });
    let mut idle_end = idle.clone();
    idle_end["reason"] = reason.clone();
    let ending = json!({
        "type": "object",
        "required": ["reason"],
        "properties": {"reason": reason.clone()}
    });
    let placed = json!({
        "type": "object",
        "required": ["placements"],
        "properties": {"placements": {"type": "array", "items": {
            "type": "object",
            "required": ["gpu_id", "profile", "start", "size"],
            "properties": {
                "gpu_id": {"$ref": "#/components/schemas/GpuId"},
                "profile": {"type": "string"},
                "start": {"type": "integer", "format": "int32"},
                "size": {"type": "integer", "format": "int32"}
            }
        }}}
    });
    let mut booked = placed.clone();
    booked["required"] = json!(["placements", "start", "ends_at"]);
    booked["properties"]["start"] = date_time();
    booked["properties"]["ends_at"] = date_time();
    let window = json!({
        "type": "object",
        "required": ["start", "ends_at"],
        "properties": {"start": date_time(), "ends_at": date_time()}
    });
    vec![
        (
            "granted",
            "Slices were reserved: where each went.",
            placed.clone(),
        ),
        (
            "queued",
            "Nothing fitted; the lease waits as `pending`.",
            json!({"type": "object"}),
        ),
        (
            "activated",
            "Every slice is ready: the lease runs until `ends_at`.",
            ends.clone(),
        ),
        (
            "extended",
            "Time was added.",
            json!({
                "type": "object",
                "required": ["by_seconds", "ends_at"],
                "properties": {"by_seconds": {"type": "integer", "format": "int64"}, "ends_at": date_time()}
            }),
        ),
        ("released", "Its owner released it.", ending.clone()),
        ("revoked", "An admin revoked it.", ending.clone()),
        ("expiring", "It ends soon, at `ends_at`.", ends),
        ("expired", "It reached `ends_at`.", ending.clone()),
        (
            "idle_warning",
            "It has been idle long enough to be reclaimed soon.",
            json!({"type": "object", "properties": idle}),
        ),
        (
            "reclaimed_idle",
            "It sat idle past its idle timeout.",
            json!({"type": "object", "required": ["reason"], "properties": idle_end}),
        ),
        (
            "failed",
            "The agent could not make or keep a slice (`releasing`); or a booking's start came while its pinned placement was unusable and no other place was free for its window (`ended`, with the at-risk reason: `host_lost`, `host_cordoned` or `gpu_cordoned`).",
            json!({"type": "object", "required": ["reason"], "properties": {
                "reason": reason.clone(),
                "gpu_uuid": {"type": "string"}
            }}),
        ),
        (
            "cancelled",
            "A pending lease or a booking that had not started was cancelled (by its owner, or because its tenant's policy no longer allows it).",
            json!({"type": "object", "properties": {"reason": reason.clone()}}),
        ),
        ("host_lost", "Its host stopped reporting.", ending.clone()),
        (
            "ended",
            "Its slices are gone. `usage` is what the lease really used over its active interval (as `Lease.usage`).",
            json!({"type": "object", "required": ["reason", "usage"], "properties": {
                "reason": reason.clone(),
                "note": {"type": "string"},
                "usage": {"$ref": "#/components/schemas/LeaseUsage"}
            }}),
        ),
        (
            "booked",
            "Booked ahead: its slices are pinned for the window from `start` to `ends_at`.",
            booked,
        ),
        (
            "starting",
            "Its start is near: the agent is told to make its slices.",
            window,
        ),
        (
            "rebooked",
            "Its pinned placement moved to slices free for its whole window.",
            placed,
        ),
        (
            "at_risk",
            "Its pinned placement is unusable and no other is free for its window. It is tried again after a backoff (2 s doubling to 5 min, at once after an uncordon); if still nothing is free when its start comes, it ends `failed` with this reason.",
            json!({"type": "object", "properties": {"reason": reason.clone()}}),
        ),
        (
            "teardown_error",
            "The agent failed to destroy a slice; it retries.",
            json!({"type": "object", "required": ["gpu_uuid", "reason"], "properties": {
                "gpu_uuid": {"type": "string"},
                "reason": reason
            }}),
        ),
        (
            "instance_error",
            "A fatal XID (48, 63, 64, 74, 79, 92, 94, 95, 119 or 120) hit one of its GPU instances, or the whole GPU. The lease keeps running and its state does not change: the instance may no longer compute correctly, so release it (or not) as you judge. One event per XID number in each agent report.",
            json!({"type": "object", "required": ["xid", "gpu_uuid", "gpu_instance_id", "compute_instance_id"], "properties": {
                "xid": {"type": "integer", "format": "int64", "minimum": 0},
                "gpu_uuid": {"type": "string", "description": "The GPU (`GPU-…`)."},
                "gpu_instance_id": {"type": ["integer", "null"], "format": "int32", "minimum": 0, "description": "The GPU instance NVML named; `null`: the whole GPU."},
                "compute_instance_id": {"type": ["integer", "null"], "format": "int32", "minimum": 0}
            }}),
        ),
    ]
}

fn pascal(kind: &str) -> String {
    kind.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `LeaseEvent` as a union discriminated by `kind`, each with its own `detail`.
fn type_lease_events(schemas: &mut Map<String, Value>) {
    let base = schemas.remove("LeaseEvent").expect("LeaseEvent");
    let kinds: Vec<String> = schemas["LeaseEventKind"]["enum"]
        .as_array()
        .expect("LeaseEventKind is an enum")
        .iter()
        .map(|k| k.as_str().unwrap().to_owned())
        .collect();
    let details = event_details();
    assert_eq!(
        kinds.len(),
        details.len(),
        "every lease event kind has a documented detail"
    );
    let mut one_of = Vec::new();
    let mut mapping = Map::new();
    for (kind, what, detail) in details {
        assert!(
            kinds.iter().any(|k| k == kind),
            "{kind} is a LeaseEventKind"
        );
        let name = format!("LeaseEvent{}", pascal(kind));
        let mut variant = base.clone();
        variant["description"] = json!(format!("A `{kind}` event. {what}"));
        variant["properties"]["kind"] = json!({"type": "string", "enum": [kind]});
        variant["properties"]["detail"] = detail;
        let reference = format!("#/components/schemas/{name}");
        mapping.insert(kind.into(), json!(reference));
        one_of.push(json!({"$ref": reference}));
        schemas.insert(name, variant);
    }
    schemas.insert(
        "LeaseEvent".into(),
        json!({
            "description": "One entry of a lease's history; `kind` says which, and what `detail` holds.",
            "oneOf": one_of,
            "discriminator": {"propertyName": "kind", "mapping": mapping}
        }),
    );
}

/// `AuditRecord.before`/`after`: the image of what changed, by `target_kind`.
fn type_audit_images(schemas: &mut Map<String, Value>) {
    schemas.insert(
        "Schedulable".into(),
        json!({
            "type": "object",
            "description": "A host's or GPU's cordon state, as `cordon`/`uncordon` audit it.",
            "required": ["schedulable"],
            "properties": {"schedulable": {"type": "boolean"}},
            "additionalProperties": false
        }),
    );
    let image = json!({
        "oneOf": [
            {"$ref": "#/components/schemas/Tenant"},
            {"$ref": "#/components/schemas/ApiKeySummary"},
            {"$ref": "#/components/schemas/EnrollmentToken"},
            {"$ref": "#/components/schemas/Schedulable"},
            {"$ref": "#/components/schemas/Host"},
            {"$ref": "#/components/schemas/Webhook"},
            {"$ref": "#/components/schemas/SliceClass"},
            {"$ref": "#/components/schemas/CostRates"},
            {"type": "null"}
        ]
    });
    let record = &mut schemas["AuditRecord"]["properties"];
    for (side, when) in [
        (
            "before",
            "the object before the change; `null` when it did not exist",
        ),
        (
            "after",
            "the object after the change; `null` when it no longer exists",
        ),
    ] {
        let mut s = image.clone();
        s["description"] = json!(format!(
            "By `target_kind`: a `Tenant` (tenant), an `ApiKeySummary` (api_key), an \
             `EnrollmentToken` (enrollment_token), `Schedulable` (host, gpu: cordon, \
             uncordon), a `Host` (host.remove: the host removed), a `Webhook` \
             (webhook; `null` on both sides for webhook_delivery, a redelivery), a \
             `SliceClass` (class), `CostRates` (rates); {when}."
        ));
        record[side] = s;
    }
}

/// Characters a name may not hold (`char::is_control`), and "not blank".
const NO_CONTROL: &str = r"^[^\x00-\x1f\x7f-\x9f]*$";
const NAME: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";

const DURATION: &str = "^(?:[1-9][0-9]{0,6}s?|[1-9][0-9]{0,4}m|[1-9][0-9]{0,2}h|[1-9][0-9]?d|[1-9]w|PT[1-9][0-9]{0,2}H|PT[1-9][0-9]{0,4}M|P[1-9][0-9]?D)$";

/// An enrollment token's `ttl`: exactly 1 second to 30 days in each unit the server reads
/// (2592000 s, 43200 m, 720 h, 30 d), so every value it matches is accepted and none that is
/// accepted is refused by it (`api::agents` tries the bounds).
const TTL: &str = concat!(
    "^(?:",
    "(?:[1-9][0-9]{0,5}|1[0-9]{6}|2[0-4][0-9]{5}|25[0-8][0-9]{4}|259[01][0-9]{3}|2592000)s?",
    "|(?:[1-9][0-9]{0,3}|[1-3][0-9]{4}|4[0-2][0-9]{3}|43[01][0-9]{2}|43200)m",
    "|(?:[1-9][0-9]?|[1-6][0-9]{2}|7[01][0-9]|720)h",
    "|(?:[1-9]|[12][0-9]|30)d",
    "|PT(?:[1-9][0-9]?|[1-6][0-9]{2}|7[01][0-9]|720)H",
    "|PT(?:[1-9][0-9]{0,3}|[1-3][0-9]{4}|4[0-2][0-9]{3}|43[01][0-9]{2}|43200)M",
    "|P(?:[1-9]|[12][0-9]|30)D",
    ")$"
);

fn set(schemas: &mut Map<String, Value>, schema: &str, prop: &str, rules: Value) {
    let target = &mut schemas[schema]["properties"][prop];
    assert!(target.is_object(), "{schema}.{prop} exists");
    for (k, v) in rules.as_object().unwrap() {
        target[k] = v.clone();
    }
}

/// The rules `domain::validate` and `limits` enforce, where the derives do not state them.
fn input_rules(schemas: &mut Map<String, Value>) {
    use slicebroker_types::limits;
    for schema in ["WebhookCreate", "WebhookPatch"] {
        set(
            schemas,
            schema,
            "url",
            json!({"minLength": 1, "maxLength": limits::MAX_WEBHOOK_URL_CHARS, "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"}),
        );
        set(
            schemas,
            schema,
            "kinds",
            json!({"minItems": 1, "maxItems": limits::MAX_WEBHOOK_KINDS, "uniqueItems": true}),
        );
    }
    // A model listed twice is refused (`domain::tenant`).
    for schema in ["TenantPolicy", "TenantPolicyPatch"] {
        set(
            schemas,
            schema,
            "allowed_gpu_models",
            json!({"uniqueItems": true, "maxItems": limits::MAX_MODELS}),
        );
    }
    // A duration's text: the forms whose every match is positive and within 366 days. The
    // server also reads longer forms (`1h30m`, `P1DT12H`), checking the bound itself.
    let text = &mut schemas["DurationInput"]["oneOf"][1];
    assert_eq!(
        text["type"], "string",
        "DurationInput's second form is text"
    );
    text["pattern"] = json!(DURATION);
    text["description"] = json!(
        "`8h`, `90m`, `2d`, `1w`, `3600s` or `3600` (units s, m, h, d, w), or ISO 8601 (`PT8H`, \
         `PT90M`, `P2D`). The server also reads combinations (`1h30m`, `P1DT12H`) up to 64 \
         characters; any form must come to at most 366 days."
    );
    let name = json!({"minLength": 1, "maxLength": limits::MAX_NAME_CHARS, "pattern": NAME});
    set(
        schemas,
        "TenantCreate",
        "name",
        json!({"minLength": 1, "maxLength": 63, "pattern": "^[a-z0-9][a-z0-9-]*$"}),
    );
    set(schemas, "TenantCreate", "display_name", name.clone());
    set(schemas, "TenantUpdate", "display_name", name.clone());
    set(schemas, "ApiKeyCreate", "name", name);
    set(
        schemas,
        "EnrollmentCreate",
        "note",
        json!({"maxLength": limits::MAX_NAME_CHARS, "pattern": NO_CONTROL}),
    );
    // What an agent reports of its GPUs' health (`domain::agent_input`).
    set(
        schemas,
        "GpuHealth",
        "temperature_c",
        json!({"maximum": limits::MAX_TEMPERATURE_C}),
    );
    set(
        schemas,
        "GpuHealth",
        "power_mw",
        json!({"maximum": limits::MAX_POWER_MW}),
    );
    set(
        schemas,
        "GpuHealth",
        "xids",
        json!({"maxItems": limits::MAX_XIDS_PER_REPORT}),
    );
    set(
        schemas,
        "XidEvent",
        "xid",
        json!({"maximum": limits::MAX_XID}),
    );
    set(
        schemas,
        "XidEvent",
        "seq",
        json!({"maximum": limits::MAX_XID_SEQ}),
    );
    for prop in [
        "volatile_corrected",
        "volatile_uncorrected",
        "aggregate_corrected",
        "aggregate_uncorrected",
    ] {
        set(
            schemas,
            "EccCounts",
            prop,
            json!({"maximum": limits::MAX_ECC_COUNT}),
        );
    }
    set(
        schemas,
        "LeaseCreate",
        "priority",
        json!({"minimum": limits::PRIORITY.start(), "maximum": limits::PRIORITY.end()}),
    );
    set(
        schemas,
        "LeaseCreate",
        "count",
        json!({"minimum": 1, "maximum": limits::MAX_COUNT}),
    );
    set(
        schemas,
        "LeaseCreate",
        "min_memory_gib",
        json!({"minimum": 1, "maximum": limits::MAX_MIN_MEMORY_GIB}),
    );
    set(
        schemas,
        "LeaseCreate",
        "min_compute_slices",
        json!({"minimum": 1, "maximum": limits::MAX_MIN_COMPUTE_SLICES}),
    );
    set(
        schemas,
        "LeaseCreate",
        "gpu_models",
        json!({"maxItems": limits::MAX_MODELS}),
    );
    set(
        schemas,
        "LeaseCreate",
        "labels",
        json!({
            "maxProperties": crate::domain::validate::MAX_LABELS,
            "propertyNames": {"type": "string", "pattern": "^[A-Za-z0-9._/-]{1,63}$"},
            "additionalProperties": {"type": "string", "maxLength": 256, "pattern": NO_CONTROL}
        }),
    );
    // GPU models by catalog key (the server also reads reference names and aliases).
    let models: Vec<&str> = slicebroker_types::catalog::GpuModel::all()
        .iter()
        .map(|m| m.key)
        .collect();
    schemas.insert(
        "GpuModelKey".into(),
        json!({"type": "string", "description": "A GPU model's catalog key.", "enum": models}),
    );
    let model = json!({"$ref": "#/components/schemas/GpuModelKey"});
    schemas["LeaseCreate"]["properties"]["gpu_models"]["items"] = model.clone();
    schemas["TenantPolicyPatch"]["properties"]["allowed_gpu_models"]["items"] = model;
    // Tenant keys: an admin key comes from the server's command line, never from the API.
    schemas.insert(
        "TenantRole".into(),
        json!({"type": "string", "description": "The role of a tenant's key.", "enum": ["tenant-admin", "member", "viewer"]}),
    );
    set(
        schemas,
        "ApiKeyCreate",
        "role",
        json!({"$ref": "#/components/schemas/TenantRole"}),
    );
    // An enrollment token lasts at most 30 days.
    let max_ttl = limits::MAX_ENROLLMENT_TTL_SECONDS;
    schemas["EnrollmentCreate"]["properties"]["ttl"] = json!({
        "description": "How long the token may be used: `\"24h\"`, `\"PT1H\"` or seconds (default 24h, at most 30 days).",
        "oneOf": [
            {"type": "integer", "format": "int64", "minimum": 1, "maximum": max_ttl},
            {"type": "string", "minLength": 1, "maxLength": 64, "pattern": TTL},
            {"type": "null"}
        ]
    });
    // The defaults a new tenant's policy takes for what `TenantCreate.policy` leaves out.
    let defaults = serde_json::to_value(slicebroker_types::api::TenantPolicy::default())
        .expect("serialisable");
    for (field, default) in defaults.as_object().unwrap() {
        set(
            schemas,
            "TenantPolicyPatch",
            field,
            json!({ "default": default }),
        );
    }
}

/// (path, method, the statuses that create, the operations linked to, their parameters).
type LinkSet<'a> = (&'a str, &'a str, &'a [&'a str], &'a [&'a str], &'a Value);

/// OpenAPI links from what creates an object to what reads and changes it, for clients and
/// for stateful testing (schemathesis follows them).
fn add_links(doc: &mut Value) {
    let lease = json!({"id": "$response.body#/id"});
    let tenant = json!({"id": "$response.body#/id"});
    let sets: [LinkSet; 3] = [
        (
            "/v1/leases",
            "post",
            &["200", "201", "202"],
            &[
                "lease_show",
                "lease_events",
                "lease_extend",
                "lease_release",
                "lease_revoke",
            ],
            &lease,
        ),
        (
            "/v1/tenants",
            "post",
            &["201"],
            &[
                "tenant_show",
                "tenant_update",
                "api_key_list",
                "api_key_create",
                "tenant_audit",
            ],
            &tenant,
        ),
        (
            "/v1/tenants/{id}/api-keys",
            "post",
            &["201"],
            &["api_key_revoke"],
            &json!({"id": "$response.body#/key/tenant_id", "key_id": "$response.body#/key/id"}),
        ),
    ];
    for (path, method, statuses, targets, params) in sets {
        for status in statuses {
            let response = &mut doc["paths"][path][method]["responses"][*status];
            assert!(response.is_object(), "{method} {path} answers {status}");
            let links: Map<String, Value> = targets
                .iter()
                .map(|op| (pascal(op), json!({"operationId": op, "parameters": params})))
                .collect();
            response["links"] = Value::Object(links);
        }
    }
}

/// Set `rules` on the schema of `op`'s parameter `name`.
fn param(doc: &mut Value, path: &str, method: &str, name: &str, rules: Value) {
    let params = doc["paths"][path][method]["parameters"]
        .as_array_mut()
        .unwrap_or_else(|| panic!("{method} {path} has parameters"));
    let p = params
        .iter_mut()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{method} {path} has {name}"));
    for (k, v) in rules.as_object().unwrap() {
        p["schema"][k] = v.clone();
    }
}

/// The rules the handlers enforce on parameters.
fn parameter_rules(doc: &mut Value) {
    param(
        doc,
        "/v1/leases",
        "post",
        "Idempotency-Key",
        json!({"minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"}),
    );
    param(
        doc,
        "/v1/leases",
        "get",
        "label",
        json!({"pattern": r"^[A-Za-z0-9._/-]{1,63}=[^\x00-\x1f\x7f-\x9f]{0,256}$"}),
    );
    let calendar = "/v1/capacity/calendar";
    param(
        doc,
        calendar,
        "get",
        "profile",
        json!({"minLength": 1, "maxLength": 64}),
    );
    param(
        doc,
        calendar,
        "get",
        "duration",
        json!({"pattern": DURATION}),
    );
}

/// Problem responses any operation may need beyond those its handler declares.
fn add_transport_responses(responses: &mut Map<String, Value>) {
    let problem = |description: &str| {
        json!({
            "description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
        })
    };
    responses.insert(
        "PayloadTooLarge".into(),
        problem("The body is larger than the server accepts (`body_limit_bytes`, 64 KiB by default): a `Problem` whose `code` is `payload_too_large`."),
    );
    responses.insert(
        "UnsupportedMediaType".into(),
        problem("The body must be JSON, sent with `Content-Type: application/json`: a `Problem` whose `code` is `unsupported_media_type`."),
    );
    responses.insert(
        "MethodNotAllowed".into(),
        problem("The path exists but not with this method (`Allow` lists those it takes): a `Problem` whose `code` is `method_not_allowed`. Not listed per operation, since it answers for a method the path does not have."),
    );
}

/// 400 for an undeclared query parameter (or a path id that is not a UUID; and a body where a
/// `post` takes none: `http::json::NoBody`), 404 where a path names an object, 413 and 415
/// where there is a body, and 503 when the request runs past `request_timeout`.
fn transport_statuses(method: &str, op: &mut Value) {
    let has_body = op.get("requestBody").is_some();
    let refuses_body = has_body || method == "post";
    let has_path_params = op["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "path"));
    let responses = op["responses"].as_object_mut().expect("responses");
    let mut add = |status: &str, name: &str| {
        responses
            .entry(status)
            .or_insert_with(|| json!({"$ref": format!("#/components/responses/{name}")}));
    };
    add(
        "400",
        if refuses_body {
            "BadRequest"
        } else {
            "InvalidInput"
        },
    );
    if has_body {
        add("413", "PayloadTooLarge");
        add("415", "UnsupportedMediaType");
    }
    if has_path_params {
        add("404", "NotFound");
    }
    add("503", "Unavailable");
}
