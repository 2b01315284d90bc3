//! `cost_rates`: the price of a slice-hour per GPU model and profile (chargeback).

use super::Tx;
use slicebroker_types::api::CostRate;
use sqlx::PgExecutor;

/// The rate card, most general rates first.
pub async fn list(db: impl PgExecutor<'_>) -> Result<Vec<CostRate>, sqlx::Error> {
    sqlx::query_as!(
        CostRate,
        r#"SELECT model, profile, per_hour FROM cost_rates
           ORDER BY model NULLS FIRST, profile NULLS FIRST"#
    )
    .fetch_all(db)
    .await
}

/// Replaces the rate card with `rates`, after locking the table so that two admins replacing
/// it at once are serialised (each audit image then shows what the other left). Returns the
/// card as it was.
pub async fn replace(tx: &mut Tx<'_>, rates: &[CostRate]) -> Result<Vec<CostRate>, sqlx::Error> {
    sqlx::query!("LOCK TABLE cost_rates IN EXCLUSIVE MODE")
        .execute(&mut **tx)
        .await?;
    let before = list(&mut **tx).await?;
    sqlx::query!("DELETE FROM cost_rates")
        .execute(&mut **tx)
        .await?;
    sqlx::query!(
        "INSERT INTO cost_rates (model, profile, per_hour)
         SELECT * FROM unnest($1::text[], $2::text[], $3::float8[])",
        &rates.iter().map(|r| r.model.clone()).collect::<Vec<_>>() as &[Option<String>],
        &rates.iter().map(|r| r.profile.clone()).collect::<Vec<_>>() as &[Option<String>],
        &rates.iter().map(|r| r.per_hour).collect::<Vec<_>>(),
    )
    .execute(&mut **tx)
    .await?;
    Ok(before)
}
