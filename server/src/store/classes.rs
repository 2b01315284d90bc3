//! `slice_classes`: create, read, update and delete, by name.

use slicebroker_types::TenantId;
use slicebroker_types::api::{SliceClass, SliceClassSpec};
use sqlx::PgExecutor;
use std::collections::BTreeMap;
use uuid::Uuid;

/// One `slice_classes` row, field for field: queries select `*` into it, and the `query_as!`
/// check fails the build if the table and this struct ever disagree.
struct Row {
    name: String,
    description: String,
    profiles: serde_json::Value,
    min_memory_gib: Option<i32>,
    min_compute_slices: Option<i32>,
    default_duration_seconds: i64,
    max_duration_seconds: i64,
    idle_timeout_seconds: i64,
    priority: i32,
    tenants: Option<Vec<Uuid>>,
    created_at: chrono::DateTime<chrono::Utc>,
    updated_at: chrono::DateTime<chrono::Utc>,
}

impl From<Row> for SliceClass {
    fn from(r: Row) -> Self {
        // The constraints keep these in range; the server alone writes `profiles`.
        SliceClass {
            name: r.name,
            description: r.description,
            profiles: serde_json::from_value::<BTreeMap<String, String>>(r.profiles)
                .unwrap_or_default(),
            min_memory_gib: r.min_memory_gib.and_then(|v| u32::try_from(v).ok()),
            min_compute_slices: r.min_compute_slices.and_then(|v| u8::try_from(v).ok()),
            default_duration_seconds: r.default_duration_seconds,
            max_duration_seconds: r.max_duration_seconds,
            idle_timeout_seconds: r.idle_timeout_seconds,
            priority: r.priority,
            tenants: r
                .tenants
                .map(|t| t.into_iter().map(TenantId::from).collect()),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

fn tenants(s: &SliceClassSpec) -> Option<Vec<Uuid>> {
    s.tenants
        .as_ref()
        .map(|t| t.iter().map(|t| t.get()).collect())
}

fn profiles(s: &SliceClassSpec) -> serde_json::Value {
    serde_json::to_value(&s.profiles).expect("a map of strings serialises")
}

pub async fn insert(
    db: impl PgExecutor<'_>,
    name: &str,
    s: &SliceClassSpec,
) -> Result<SliceClass, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "INSERT INTO slice_classes (name, description, profiles, min_memory_gib,
             min_compute_slices, default_duration_seconds, max_duration_seconds,
             idle_timeout_seconds, priority, tenants)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         RETURNING *",
        name,
        s.description,
        profiles(s),
        s.min_memory_gib.map(|v| v as i32),
        s.min_compute_slices.map(i32::from),
        s.default_duration_seconds,
        s.max_duration_seconds,
        s.idle_timeout_seconds,
        s.priority,
        tenants(s) as Option<Vec<Uuid>>,
    )
    .fetch_one(db)
    .await
    .map(SliceClass::from)
}

pub async fn get(db: impl PgExecutor<'_>, name: &str) -> Result<Option<SliceClass>, sqlx::Error> {
    sqlx::query_as!(Row, "SELECT * FROM slice_classes WHERE name = $1", name)
        .fetch_optional(db)
        .await
        .map(|r| r.map(SliceClass::from))
}

/// The class, its row locked until the transaction ends (an update's before image).
pub async fn lock(db: impl PgExecutor<'_>, name: &str) -> Result<Option<SliceClass>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "SELECT * FROM slice_classes WHERE name = $1 FOR UPDATE",
        name
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(SliceClass::from))
}

/// Every class (`tenant`: only those it may use), by name.
pub async fn list(
    db: impl PgExecutor<'_>,
    tenant: Option<TenantId>,
) -> Result<Vec<SliceClass>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "SELECT * FROM slice_classes
         WHERE $1::uuid IS NULL OR tenants IS NULL OR $1 = ANY(tenants)
         ORDER BY name",
        tenant.map(|t| t.get())
    )
    .fetch_all(db)
    .await
    .map(|rows| rows.into_iter().map(SliceClass::from).collect())
}

pub async fn update(
    db: impl PgExecutor<'_>,
    name: &str,
    s: &SliceClassSpec,
) -> Result<Option<SliceClass>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "UPDATE slice_classes SET description = $2, profiles = $3, min_memory_gib = $4,
             min_compute_slices = $5, default_duration_seconds = $6, max_duration_seconds = $7,
             idle_timeout_seconds = $8, priority = $9, tenants = $10
         WHERE name = $1
         RETURNING *",
        name,
        s.description,
        profiles(s),
        s.min_memory_gib.map(|v| v as i32),
        s.min_compute_slices.map(i32::from),
        s.default_duration_seconds,
        s.max_duration_seconds,
        s.idle_timeout_seconds,
        s.priority,
        tenants(s) as Option<Vec<Uuid>>,
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(SliceClass::from))
}

/// Deletes the class; leases made from it keep its name.
pub async fn delete(
    db: impl PgExecutor<'_>,
    name: &str,
) -> Result<Option<SliceClass>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "DELETE FROM slice_classes WHERE name = $1 RETURNING *",
        name
    )
    .fetch_optional(db)
    .await
    .map(|r| r.map(SliceClass::from))
}
