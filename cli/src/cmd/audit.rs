//! `slicectl audit` (admin): who changed what, newest first, with what each change changed.

use super::fleet::{find_gpu, find_host};
use super::{Ctx, query_value};
use crate::cli::{AuditArgs, AuditKind};
use crate::error::{Error, Result};
use crate::output::{Style, Table};
use serde_json::Value;
use slicebroker_types::api::{AuditPage, AuditRecord, AuditTargetKind, Gpu, Host};

pub async fn list(ctx: &mut Ctx, a: AuditArgs) -> Result<()> {
    let mut filter = String::new();
    if let Some(kind) = a.kind {
        filter.push_str(&format!(
            "&target_kind={}",
            AuditTargetKind::from(kind).as_str()
        ));
    }
    if let (Some(kind), Some(target)) = (a.kind, &a.target) {
        let id = target_id(ctx, kind, target).await?;
        filter.push_str(&format!("&target_id={}", query_value(&id)));
    }
    let mut entries = Vec::new();
    let mut cursor = None;
    loop {
        let page_size = (a.limit - entries.len()).min(500);
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let page: AuditPage = ctx
            .session
            .get(&format!("/v1/audit?limit={page_size}{filter}{after}"))
            .await?;
        entries.extend(page.items);
        cursor = page.next_cursor;
        if cursor.is_none() || entries.len() >= a.limit {
            break;
        }
    }
    ctx.show(entries.as_slice(), table);
    Ok(())
}

/// The id the log keeps for an object named as people name it. A host or GPU that is gone
/// (removed hosts stay in the log) is looked for by the id given; a removed host also by the
/// name its removal recorded.
async fn target_id(ctx: &mut Ctx, kind: AuditKind, target: &str) -> Result<String> {
    // Found, or gone but named by its id.
    let is_id = target.parse::<uuid::Uuid>().is_ok();
    let or_id = |found: Result<String>| match found {
        Err(_) if is_id => Ok(target.to_owned()),
        found => found,
    };
    match kind {
        AuditKind::Host => {
            let hosts: Vec<Host> = ctx.session.get("/v1/hosts").await?;
            match find_host(&hosts, target) {
                Ok(id) => Ok(id.to_string()),
                Err(_) if is_id => Ok(target.to_owned()),
                Err(_) => removed_host(ctx, target).await?.ok_or_else(|| {
                    Error::failed(format!(
                        "no host is named `{target}`, and the log has no removed host of that \
                         name: give its id"
                    ))
                }),
            }
        }
        AuditKind::Gpu => {
            let gpus: Vec<Gpu> = ctx.session.get("/v1/gpus").await?;
            or_id(find_gpu(&gpus, target).map(|id| id.to_string()))
        }
        AuditKind::Tenant => Ok(ctx.tenant_id(target).await?.to_string()),
        _ => Ok(target.to_owned()),
    }
}

/// The id of a host no longer in the fleet that was named `name`, from the host entries of
/// the log (a removal keeps the host as it was, name and all, in `before`).
async fn removed_host(ctx: &mut Ctx, name: &str) -> Result<Option<String>> {
    let kind = AuditTargetKind::Host.as_str();
    let mut ids = Vec::new();
    let mut cursor = None;
    loop {
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let page: AuditPage = ctx
            .session
            .get(&format!("/v1/audit?limit=500&target_kind={kind}{after}"))
            .await?;
        for id in hosts_named(&page.items, name) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    match ids.as_slice() {
        [] => Ok(None),
        [id] => Ok(Some(id.clone())),
        several => Err(Error::failed(format!(
            "hosts of several ids were named `{name}` and removed: give one of {}",
            several.join(", ")
        ))),
    }
}

/// The ids of the hosts `entries` show named `name` (before or after a change), newest first,
/// each once.
fn hosts_named(entries: &[AuditRecord], name: &str) -> Vec<String> {
    let named = |v: &Option<Value>| {
        v.as_ref()
            .and_then(|v| v.get("name"))
            .and_then(Value::as_str)
            == Some(name)
    };
    let mut ids: Vec<String> = Vec::new();
    for e in entries {
        if (named(&e.before) || named(&e.after)) && !ids.contains(&e.target_id) {
            ids.push(e.target_id.clone());
        }
    }
    ids
}

fn table(entries: &[AuditRecord], style: &Style) -> String {
    let mut t = Table::new(&["at", "by", "action", "object", "change"]);
    for e in entries {
        t.row(vec![
            e.at.format("%Y-%m-%d %H:%M:%SZ").to_string().into(),
            e.actor.clone().into(),
            e.action.clone().into(),
            format!("{} {}", e.target_kind, e.target_id).into(),
            change(e.before.as_ref(), e.after.as_ref()).into(),
        ]);
    }
    t.render(style)
}

/// What a change changed, on one line: `schedulable true → false`, the fields of an object
/// that differ (nested ones by path: `policy.max_live_leases 3 → 5`), at most three and a
/// count of the rest.
pub fn change(before: Option<&Value>, after: Option<&Value>) -> String {
    let mut diffs = Vec::new();
    match (before, after) {
        (None, None) => return "-".into(),
        (None, Some(_)) => return "created".into(),
        (Some(_), None) => return "removed".into(),
        (Some(b), Some(a)) => differences("", b, a, &mut diffs),
    }
    if diffs.is_empty() {
        return "no change".into();
    }
    let more = diffs.len().saturating_sub(3);
    diffs.truncate(3);
    let mut out = diffs.join(", ");
    if more > 0 {
        out.push_str(&format!(" (+{more} more)"));
    }
    out
}

fn differences(path: &str, b: &Value, a: &Value, out: &mut Vec<String>) {
    if b == a {
        return;
    }
    match (b, a) {
        (Value::Object(bm), Value::Object(am)) => {
            let mut keys: Vec<&String> = bm.keys().chain(am.keys()).collect();
            keys.sort_unstable();
            keys.dedup();
            for k in keys {
                let at = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                let null = Value::Null;
                differences(
                    &at,
                    bm.get(k).unwrap_or(&null),
                    am.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        _ => out.push(format!("{path} {} → {}", short(b), short(a))),
    }
}

/// A value short enough for a table cell.
fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(39).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::{change, hosts_named};
    use serde_json::json;
    use slicebroker_types::api::AuditRecord;

    fn entry(target_id: &str, action: &str, before: Option<serde_json::Value>) -> AuditRecord {
        AuditRecord {
            id: 1,
            actor: "key:x".into(),
            action: action.into(),
            target_kind: "host".into(),
            target_id: target_id.into(),
            before,
            after: None,
            at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_removed_host_is_found_by_the_name_its_removal_kept() {
        let entries = [
            entry(
                "h2",
                "host.remove",
                Some(json!({"id": "h2", "name": "gpu-b"})),
            ),
            entry(
                "h1",
                "host.remove",
                Some(json!({"id": "h1", "name": "gpu-a"})),
            ),
            // A cordon keeps only what changed: no name.
            entry("h1", "cordon", Some(json!({"schedulable": true}))),
            entry(
                "h1",
                "host.remove",
                Some(json!({"id": "h1", "name": "gpu-a"})),
            ),
            entry("h3", "host.remove", None),
        ];
        assert_eq!(hosts_named(&entries, "gpu-a"), ["h1"]);
        assert_eq!(hosts_named(&entries, "gpu-b"), ["h2"]);
        assert!(hosts_named(&entries, "gpu-c").is_empty());
        let mut after = entry("h4", "host.rename", None);
        after.after = Some(json!({"name": "gpu-d"}));
        assert_eq!(hosts_named(&[after], "gpu-d"), ["h4"]);
    }

    #[test]
    fn a_change_names_what_differs() {
        let (b, a) = (json!({"schedulable": true}), json!({"schedulable": false}));
        assert_eq!(change(Some(&b), Some(&a)), "schedulable true → false");
        let b = json!({"name": "a", "policy": {"max_live_leases": 3, "models": ["x"]}});
        let a = json!({"name": "a", "policy": {"max_live_leases": 5, "models": ["x", "y"]}});
        assert_eq!(
            change(Some(&b), Some(&a)),
            r#"policy.max_live_leases 3 → 5, policy.models ["x"] → ["x","y"]"#
        );
        assert_eq!(change(None, Some(&a)), "created");
        assert_eq!(change(Some(&a), None), "removed");
        assert_eq!(change(None, None), "-");
        assert_eq!(change(Some(&a), Some(&a)), "no change");
        let b = json!({"a": 1, "b": 1, "c": 1, "d": 1, "e": null});
        let a = json!({"a": 2, "b": 2, "c": 2, "d": 2, "e": "x".repeat(50)});
        let s = change(Some(&b), Some(&a));
        assert_eq!(s, "a 1 → 2, b 1 → 2, c 1 → 2 (+2 more)");
    }

    #[test]
    fn long_values_are_cut() {
        let (b, a) = (json!({"url": "x"}), json!({"url": "y".repeat(60)}));
        let s = change(Some(&b), Some(&a));
        assert!(s.ends_with('…') && s.chars().count() < 60, "{s}");
    }
}
