//! The database's invariants (DESIGN.md §2) as the server relies on them; the store's own
//! tests are in `tests/store`.

/// DESIGN.md §2, invariant 4: the check every test database carries (`harness::INVARIANT_4`)
/// refuses to commit a slice placed without its host's generation moving, and lets the same
/// change commit once the host is bumped in the transaction.
#[tokio::test]
async fn a_slice_change_cannot_commit_without_its_host_generation_moving() {
    let app = crate::harness::spawn_app().await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (tenant, member) = app.tenant("team-a", serde_json::Value::Null).await;
    // A lease to hang slices on (granted through the API, which bumps).
    let lease = app
        .post(
            "/v1/leases",
            &member,
            &serde_json::json!({"profile": "1g.10gb", "duration": "1h"}),
        )
        .await;
    let lease = lease.ok(201)["id"].as_str().unwrap().to_owned();
    let db = app.app.db();
    let insert = format!(
        "INSERT INTO slices (id, lease_id, tenant_id, gpu_id, profile, start, size, compute_slices,
             memory_gib, during)
         SELECT gen_random_uuid(), '{lease}', '{tenant}', g.id, '1g.10gb', 0, 1, 1, 10,
             tstzrange(now(), now() + interval '1 hour')
         FROM gpus g WHERE NOT EXISTS (SELECT 1 FROM slices s WHERE s.gpu_id = g.id) LIMIT 1"
    );
    let mut tx = db.begin().await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(insert.clone()))
        .execute(&mut *tx)
        .await
        .unwrap();
    let refused = tx.commit().await.unwrap_err();
    assert!(
        refused.to_string().contains("desired generation"),
        "{refused}"
    );
    let mut tx = db.begin().await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(insert))
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE hosts SET desired_generation = desired_generation + 1")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit()
        .await
        .expect("with the bump, the same change commits");
}
