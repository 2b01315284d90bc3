//! `store::idempotency`: a key is claimed by one request at a time, taken over only when
//! stale, and consumed or dropped only by its holder.

use slicebroker_server::store::idempotency::{self, Held};
use slicebroker_types::TenantId;
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_claim_is_held_until_consumed_dropped_or_stale(db: PgPool) {
    let t = TenantId::new();
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let day = 86_400_000;
    assert_eq!(
        idempotency::claim(&db, t, "k", "fp", a, day).await.unwrap(),
        Ok(())
    );
    assert_eq!(
        idempotency::claim(&db, t, "k", "fp2", b, day)
            .await
            .unwrap(),
        Err(Held {
            fingerprint: "fp".into()
        })
    );
    // Only its holder drops it.
    idempotency::drop_claim(&db, t, "k", b).await.unwrap();
    assert!(
        idempotency::claim(&db, t, "k", "fp2", b, day)
            .await
            .unwrap()
            .is_err()
    );
    // A claim older than the stale age is taken over; its old holder can no longer consume it.
    assert_eq!(
        idempotency::claim(&db, t, "k", "fp2", b, -1).await.unwrap(),
        Ok(())
    );
    let mut tx = db.begin().await.unwrap();
    assert!(!idempotency::consume(&mut tx, &[(t, "k", a)]).await.unwrap());
    assert!(idempotency::consume(&mut tx, &[(t, "k", b)]).await.unwrap());
    tx.commit().await.unwrap();
    assert_eq!(
        idempotency::claim(&db, t, "k", "fp3", a, day)
            .await
            .unwrap(),
        Ok(())
    );
}
