//! A fresh database per test on the test PostgreSQL (`DATABASE_URL`, else 127.0.0.1:5432).

use uuid::Uuid;

/// The base URL of the test PostgreSQL (any database on it; tests create their own).
pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A new, empty database with a unique name (`sb_test_<uuid>`), and its URL. `scripts/test.sh`
/// drops those of a passing run.
pub async fn fresh_database() -> String {
    let base = database_url();
    let admin = sqlx::PgPool::connect(&base)
        .await
        .expect("postgres is reachable");
    let name = format!("sb_test_{}", Uuid::new_v4().simple());
    // The name is a generated UUID: nothing to inject.
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    let (prefix, _) = base
        .rsplit_once('/')
        .expect("DATABASE_URL has a database name");
    format!("{prefix}/{name}")
}
