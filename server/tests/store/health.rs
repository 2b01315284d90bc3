//! `store::health`: a GPU's readings are rewritten only when they change or grow a minute old,
//! each GPU keeps its own newest XIDs, the views filter XIDs by lease and lease ids by tenant,
//! and the database refuses a throttle reason outside the closed set.

use crate::fixture;
use slicebroker_server::store::{
    self,
    health::{NewXid, Readings, Shown},
};
use slicebroker_types::agent::{EccCounts, ThrottleReason};
use slicebroker_types::api::LeaseState;
use slicebroker_types::{GpuId, LeaseId, TenantId};
use sqlx::PgPool;

fn readings(gpu: GpuId, temperature: i32) -> Readings {
    Readings {
        gpu_id: gpu,
        temperature_c: Some(temperature),
        power_mw: Some(250_000),
        ecc: Some(EccCounts::default()),
        throttle_reasons: Some(vec![ThrottleReason::SwPowerCap]),
        xids_dropped: 0,
    }
}

fn xid(gpu: GpuId, xid: i32, leases: Vec<LeaseId>) -> NewXid {
    NewXid {
        gpu_id: gpu,
        xid,
        fatal: xid == 94,
        gpu_instance_id: Some(1),
        compute_instance_id: None,
        leases,
    }
}

async fn record(db: &PgPool, readings: &[Readings], xids: &[NewXid]) {
    let mut tx = db.begin().await.unwrap();
    store::health::record(&mut tx, readings, xids, &[])
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

async fn reported_at(db: &PgPool, gpu: GpuId) -> chrono::DateTime<chrono::Utc> {
    sqlx::query_scalar("SELECT reported_at FROM gpu_health WHERE gpu_id = $1")
        .bind(gpu.get())
        .fetch_one(db)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn readings_are_rewritten_when_they_change_or_are_a_minute_old(db: PgPool) {
    let w = fixture::world(&db).await;
    let gpu = fixture::gpu(&db, w).await;
    record(&db, &[readings(gpu, 60)], &[]).await;
    let first = reported_at(&db, gpu).await;
    // Each call is its own transaction (its own now()): a rewrite would move the time.
    record(&db, &[readings(gpu, 60)], &[]).await;
    assert_eq!(reported_at(&db, gpu).await, first, "unchanged: not written");
    record(&db, &[readings(gpu, 61)], &[]).await;
    let changed = reported_at(&db, gpu).await;
    assert!(changed > first);
    sqlx::query("UPDATE gpu_health SET reported_at = now() - interval '61 seconds'")
        .execute(&db)
        .await
        .unwrap();
    record(&db, &[readings(gpu, 61)], &[]).await;
    assert!(
        reported_at(&db, gpu).await > changed,
        "a minute old: refreshed"
    );
    let dropped = Readings {
        xids_dropped: 3,
        ..readings(gpu, 61)
    };
    record(&db, &[dropped], &[]).await;
    record(&db, &[readings(gpu, 61)], &[]).await;
    let mut conn = db.acquire().await.unwrap();
    let shown = store::health::of_gpus(&mut conn, &[gpu], None, Shown::All)
        .await
        .unwrap();
    assert_eq!(shown[0].1.xids_dropped, 3, "summed, never lost");
    assert_eq!(shown[0].1.temperature_c, Some(61));
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn each_gpu_keeps_its_own_newest_xids_and_views_filter_them(db: PgPool) {
    let w = fixture::world(&db).await;
    let (g1, g2) = (fixture::gpu(&db, w).await, fixture::gpu(&db, w).await);
    // Leases of two tenants (where their slices are does not matter to the store).
    let mine = fixture::lease(&db, w, LeaseState::Active).await.id;
    let theirs = {
        let other = TenantId::new();
        store::tenants::insert(&db, other, "team-b", "Team B", &Default::default())
            .await
            .unwrap();
        let w2 = fixture::World { tenant: other, ..w };
        fixture::lease(&db, w2, LeaseState::Active).await.id
    };
    record(&db, &[], &[xid(g2, 1, vec![])]).await;
    for round in 0..2 {
        let xids: Vec<NewXid> = (0..64)
            .map(|i| xid(g1, 100 * round + i, vec![]))
            .chain([xid(g1, 94, vec![mine, theirs])])
            .collect();
        record(&db, &[], &xids).await;
    }
    let kept: Vec<(uuid::Uuid, i64)> =
        sqlx::query_as("SELECT gpu_id, count(*) FROM gpu_xids GROUP BY 1 ORDER BY 2")
            .fetch_all(&db)
            .await
            .unwrap();
    assert_eq!(kept, [(g2.get(), 1), (g1.get(), 100)]);

    let mut conn = db.acquire().await.unwrap();
    // Readings were never reported: a GPU shows only once it has a row.
    let none = store::health::of_gpus(&mut conn, &[g1], None, Shown::All)
        .await
        .unwrap();
    assert!(none.is_empty());
    record(&db, &[readings(g1, 50)], &[]).await;
    let all = store::health::of_gpus(&mut conn, &[g1], None, Shown::All)
        .await
        .unwrap();
    let xids = &all[0].1.xids;
    assert_eq!(xids.len(), 10);
    assert_eq!(xids[0].xid, 94);
    assert!(xids[0].fatal);
    let mut both = vec![mine, theirs];
    both.sort();
    assert_eq!(xids[0].lease_ids, both);
    assert_eq!(xids[1].xid, 163);
    // On a lease: only what hit it, with only the caller's tenant's leases named.
    let on_mine =
        store::health::of_gpus(&mut conn, &[g1], Some(mine), Shown::Tenant(Some(w.tenant)))
            .await
            .unwrap();
    let xids = &on_mine[0].1.xids;
    assert_eq!(xids.len(), 2, "the two 94s");
    assert!(xids.iter().all(|x| x.lease_ids == [mine]));
    let nobody = store::health::of_gpus(&mut conn, &[g1], Some(mine), Shown::Tenant(None))
        .await
        .unwrap();
    assert!(nobody[0].1.xids.iter().all(|x| x.lease_ids.is_empty()));
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_database_refuses_readings_outside_their_bounds(db: PgPool) {
    let w = fixture::world(&db).await;
    let gpu = fixture::gpu(&db, w).await;
    for (sql, constraint) in [
        (
            "INSERT INTO gpu_health (gpu_id, throttle_reasons) VALUES ($1, '{too_hot}')",
            "gpu_health_throttle_known",
        ),
        (
            "INSERT INTO gpu_health (gpu_id, temperature_c) VALUES ($1, 201)",
            "gpu_health_temperature_bounded",
        ),
        (
            "INSERT INTO gpu_health (gpu_id, ecc_volatile_corrected) VALUES ($1, 1)",
            "gpu_health_ecc_all_or_none",
        ),
        (
            "INSERT INTO gpu_xid_totals (gpu_id, xid, n) VALUES ($1, '13', 1)",
            "gpu_xid_totals_label_bounded",
        ),
    ] {
        let e = sqlx::query(sql)
            .bind(gpu.get())
            .execute(&db)
            .await
            .unwrap_err();
        let name = e.as_database_error().and_then(|d| d.constraint());
        assert_eq!(name, Some(constraint), "{sql}");
    }
}
