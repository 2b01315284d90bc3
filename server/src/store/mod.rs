//! The only code that touches sqlx: connection, migrations and one module per table family.
//! Queries are `query!` macros checked against `migrations/` (offline data in `/.sqlx`).

pub mod agents;
pub mod api_keys;
pub mod audit;
pub mod classes;
pub mod fleet;
pub mod health;
pub mod idempotency;
pub mod leases;
pub mod lifecycle;
pub mod metrics;
pub mod notify;
pub mod rates;
pub mod signing_keys;
pub mod slices;
pub mod tenants;
pub mod usage;
pub mod webhooks;

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::time::Duration;

pub type Tx<'a> = sqlx::Transaction<'a, sqlx::Postgres>;

/// The migrations in `migrations/`, embedded at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, sqlx::Error> {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
}

pub async fn migrate(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// How many of this build's migrations the database has applied, of how many: a server told
/// not to migrate checks it is not behind.
pub async fn migrations_applied(pool: &PgPool) -> Result<(usize, usize), sqlx::Error> {
    let applied: Vec<i64> = match sqlx::query_scalar(
        "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(pool)
    .await
    {
        Ok(v) => v,
        // No migration table: nothing was ever applied.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => Vec::new(),
        Err(e) => return Err(e),
    };
    let wanted: Vec<i64> = MIGRATOR.iter().map(|m| m.version).collect();
    let done = wanted.iter().filter(|v| applied.contains(v)).count();
    Ok((done, wanted.len()))
}

/// A named constraint the database enforces, as the use cases know it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Violation {
    /// Another live slice holds some of these memory slices (DESIGN.md §2, invariant 1).
    SlicesOverlap,
    /// A tenant with this name exists.
    TenantNameTaken,
    /// A lease of the tenant already has this idempotency key.
    IdempotencyKeyTaken,
    /// Two GPUs of one host have the same device index.
    GpuIndexTaken,
    /// A lease state change the state machine does not allow (the transition trigger).
    IllegalTransition,
    /// An API key with this hash exists.
    ApiKeyTaken,
    /// A slice class with this name exists.
    ClassNameTaken,
}

/// Every constraint a use case turns into a domain error, by name: the one table.
pub const CONSTRAINTS: [(&str, Violation); 7] = [
    ("slices_no_overlap", Violation::SlicesOverlap),
    ("tenants_name_unique", Violation::TenantNameTaken),
    (
        "leases_idempotency_key_unique",
        Violation::IdempotencyKeyTaken,
    ),
    ("gpus_host_index_unique", Violation::GpuIndexTaken),
    ("leases_legal_transition", Violation::IllegalTransition),
    ("api_keys_hash_unique", Violation::ApiKeyTaken),
    ("slice_classes_pkey", Violation::ClassNameTaken),
];

/// The named constraint a database error violated, if it is one the use cases know.
pub fn violation(e: &sqlx::Error) -> Option<Violation> {
    let name = match e {
        sqlx::Error::Database(db) => db.constraint()?,
        _ => return None,
    };
    CONSTRAINTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| *v)
}

/// Whether a write lost a race for memory slices to a concurrent writer: another live slice
/// holds them (`slices_no_overlap`), or two writers each waited on the other's uncommitted
/// slices while checking that constraint (a deadlock, SQLSTATE 40P01, which PostgreSQL ends
/// by failing one of them). Either way, placing again on fresh state succeeds.
pub fn lost_placement_race(e: &sqlx::Error) -> bool {
    const DEADLOCK_DETECTED: &str = "40P01";
    violation(e) == Some(Violation::SlicesOverlap)
        || matches!(e, sqlx::Error::Database(db) if db.code().as_deref() == Some(DEADLOCK_DETECTED))
}

/// A description of a database error for logs (never for clients).
pub fn describe(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => format!(
            "database error {}: {}{}",
            db.code().unwrap_or_default(),
            db.message(),
            db.constraint()
                .map(|c| format!(" (constraint {c})"))
                .unwrap_or_default()
        ),
        other => other.to_string(),
    }
}

pub async fn ping(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT 1 AS one")
        .fetch_one(pool)
        .await
        .map(|_| ())
}
