//! `store::notify`: a generation bump on any connection reaches the listener as that host's
//! notice.

use crate::fixture;
use slicebroker_server::store::{self, notify::Notice};
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[sqlx::test(migrator = "slicebroker_server::store::MIGRATOR")]
async fn a_bump_is_heard_as_its_hosts_notice(db: PgPool) {
    let w = fixture::world(&db).await;
    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = heard.clone();
    let listener = tokio::spawn(store::notify::listen(db.clone(), move |n| {
        sink.lock().unwrap().push(n)
    }));
    // The listener reports that it (re)connected before anything else.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !heard.lock().unwrap().contains(&Notice::Missed) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the listener never connected"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut tx = db.begin().await.unwrap();
    store::fleet::bump_generations(&mut tx, &[w.host])
        .await
        .unwrap();
    tx.commit().await.unwrap();
    while !heard.lock().unwrap().contains(&Notice::Desired(w.host)) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no notice: {:?}",
            heard.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    listener.abort();
}
