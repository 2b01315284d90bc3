//! `store::audit`: entries read back per target, in order, with their images.

use slicebroker_server::store::{self, audit::Entry};
use slicebroker_types::api::AuditTargetKind;
use sqlx::PgPool;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn entries_come_back_per_target_in_order(db: PgPool) {
    for (n, target) in [(1, "a"), (2, "b"), (3, "a")] {
        let e = Entry {
            actor_key_id: None,
            actor: "cli",
            action: "tenant.update",
            target_kind: AuditTargetKind::Tenant,
            target_id: target.into(),
            before: Some(serde_json::json!({ "n": n - 1 })),
            after: Some(serde_json::json!({ "n": n })),
        };
        store::audit::record(&db, e).await.unwrap();
    }
    let a = store::audit::for_target(&db, AuditTargetKind::Tenant, "a")
        .await
        .unwrap();
    let after: Vec<_> = a
        .iter()
        .map(|r| r.after.clone().unwrap()["n"].clone())
        .collect();
    assert_eq!(after, vec![serde_json::json!(1), serde_json::json!(3)]);
}
