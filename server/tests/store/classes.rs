//! `store::classes`: a class is stored field for field, listed per tenant, changed and deleted;
//! a lease keeps the class it came from, also after the class is gone.

use crate::fixture;
use slicebroker_server::store;
use slicebroker_types::TenantId;
use slicebroker_types::api::{LeaseState, SliceClassSpec};
use sqlx::PgPool;
use std::collections::BTreeMap;

pub fn spec() -> SliceClassSpec {
    SliceClassSpec {
        description: "Jupyter notebooks and tests".into(),
        profiles: BTreeMap::from([("h100-80gb".into(), "1g.10gb".into())]),
        min_memory_gib: Some(10),
        min_compute_slices: Some(1),
        default_duration_seconds: 3600,
        max_duration_seconds: 8 * 3600,
        idle_timeout_seconds: 1800,
        priority: 5,
        tenants: None,
    }
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_class_is_stored_field_for_field(db: PgPool) {
    let mut s = spec();
    s.tenants = Some(vec![TenantId::new(), TenantId::new()]);
    let made = store::classes::insert(&db, "notebook", &s).await.unwrap();
    assert_eq!(made.spec(), s);
    let read = store::classes::get(&db, "notebook").await.unwrap().unwrap();
    assert_eq!(read, made);
    assert!(store::classes::get(&db, "other").await.unwrap().is_none());
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_tenant_lists_only_the_classes_open_to_it(db: PgPool) {
    let (mine, other) = (TenantId::new(), TenantId::new());
    let open = spec();
    let only_mine = SliceClassSpec {
        tenants: Some(vec![mine]),
        ..spec()
    };
    let only_other = SliceClassSpec {
        tenants: Some(vec![other]),
        ..spec()
    };
    for (name, s) in [
        ("a-open", &open),
        ("b-mine", &only_mine),
        ("c-other", &only_other),
    ] {
        store::classes::insert(&db, name, s).await.unwrap();
    }
    let names = |v: Vec<slicebroker_types::api::SliceClass>| {
        v.into_iter().map(|c| c.name).collect::<Vec<_>>()
    };
    assert_eq!(
        names(store::classes::list(&db, Some(mine)).await.unwrap()),
        ["a-open", "b-mine"]
    );
    assert_eq!(
        names(store::classes::list(&db, None).await.unwrap()),
        ["a-open", "b-mine", "c-other"]
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn an_update_replaces_the_spec_and_a_delete_returns_what_was_there(db: PgPool) {
    store::classes::insert(&db, "notebook", &spec())
        .await
        .unwrap();
    let changed = SliceClassSpec {
        profiles: BTreeMap::new(),
        priority: -3,
        tenants: Some(Vec::new()),
        ..spec()
    };
    let after = store::classes::update(&db, "notebook", &changed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.spec(), changed);
    assert!(
        store::classes::update(&db, "nope", &changed)
            .await
            .unwrap()
            .is_none()
    );
    let gone = store::classes::delete(&db, "notebook")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.spec(), changed);
    assert!(
        store::classes::delete(&db, "notebook")
            .await
            .unwrap()
            .is_none()
    );
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn the_database_refuses_a_class_out_of_bounds(db: PgPool) {
    let bad = [
        SliceClassSpec {
            default_duration_seconds: 9 * 3600,
            ..spec()
        },
        SliceClassSpec {
            profiles: BTreeMap::new(),
            min_memory_gib: None,
            min_compute_slices: None,
            ..spec()
        },
        SliceClassSpec {
            priority: 101,
            ..spec()
        },
    ];
    for s in bad {
        let e = store::classes::insert(&db, "bad", &s).await.unwrap_err();
        let constraint = match &e {
            sqlx::Error::Database(d) => d.constraint().map(str::to_owned),
            _ => None,
        };
        assert!(
            constraint.is_some_and(|c| c.starts_with("slice_classes_")),
            "{e}"
        );
    }
    let e = store::classes::insert(&db, "Not A Name", &spec())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("slice_classes_name_format"), "{e}");
}

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_lease_keeps_its_class_after_the_class_is_deleted(db: PgPool) {
    let w = fixture::world(&db).await;
    store::classes::insert(&db, "notebook", &spec())
        .await
        .unwrap();
    let mut pending = fixture::view(w, LeaseState::Pending, fixture::gpu(&db, w).await, 0);
    pending.class = Some("notebook".into());
    let mut tx = db.begin().await.unwrap();
    store::leases::insert(&mut tx, &[fixture::new_lease(&pending)])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    store::classes::delete(&db, "notebook").await.unwrap();
    let mut conn = db.acquire().await.unwrap();
    let read = store::leases::get(&mut conn, pending.id, None)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.class.as_deref(), Some("notebook"));
    let mut tx = db.begin().await.unwrap();
    let p = store::leases::lock_pending(&mut tx, pending.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.class.as_deref(), Some("notebook"));
}
