//! Wake-ups for agents' desired-config long-polls. A trigger NOTIFYs `sb_desired` with the host
//! id whenever a host's desired generation moves (migrations/0002_agents.sql); every replica
//! LISTENs and wakes the polls it holds for that host, whichever replica made the change.

use sqlx::postgres::PgListener;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;
use uuid::Uuid;

pub const CHANNEL: &str = "sb_desired";
/// Capacity came back: a slice was released or a lease ended (migrations/0003_lifecycle.sql).
pub const CAPACITY: &str = "sb_capacity";

/// Per-host wake-up signals. A poll subscribes before it reads the generation, so a change that
/// commits in between still wakes it.
#[derive(Debug)]
pub struct Wakeups {
    hosts: Mutex<HashMap<Uuid, watch::Sender<u64>>>,
    capacity: watch::Sender<u64>,
}

impl Default for Wakeups {
    fn default() -> Self {
        Self {
            hosts: Mutex::default(),
            capacity: watch::channel(0).0,
        }
    }
}

impl Wakeups {
    /// Changes whenever capacity may have come back, on any replica.
    pub fn subscribe_capacity(&self) -> watch::Receiver<u64> {
        self.capacity.subscribe()
    }

    pub fn subscribe(&self, host: Uuid) -> watch::Receiver<u64> {
        let mut hosts = self.hosts.lock().expect("wakeups lock");
        if hosts.len() > 64 {
            hosts.retain(|_, tx| tx.receiver_count() > 0);
        }
        hosts
            .entry(host)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    pub fn wake(&self, host: Uuid) {
        if let Some(tx) = self.hosts.lock().expect("wakeups lock").get(&host) {
            tx.send_modify(|n| *n += 1);
        }
    }

    /// After notifications may have been lost (the listener reconnected): every poll re-reads.
    pub fn wake_all(&self) {
        for tx in self.hosts.lock().expect("wakeups lock").values() {
            tx.send_modify(|n| *n += 1);
        }
        self.capacity.send_modify(|n| *n += 1);
    }
}

/// Listens on [`CHANNEL`] and [`CAPACITY`] until the pool closes, reconnecting after errors.
pub async fn listen(pool: sqlx::PgPool, wakeups: Arc<Wakeups>) {
    loop {
        match listen_once(&pool, &wakeups).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %e, "desired-config listener lost; reconnecting");
                wakeups.wake_all();
                if pool.is_closed() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn listen_once(pool: &sqlx::PgPool, wakeups: &Wakeups) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen_all([CHANNEL, CAPACITY]).await?;
    // Anything that changed while we were not listening.
    wakeups.wake_all();
    loop {
        match listener.try_recv().await? {
            Some(n) if n.channel() == CAPACITY => wakeups.capacity.send_modify(|n| *n += 1),
            Some(n) => match n.payload().parse::<Uuid>() {
                Ok(host) => wakeups.wake(host),
                Err(_) => tracing::warn!(payload = n.payload(), "odd {CHANNEL} payload"),
            },
            // The connection dropped; `try_recv` reconnects on the next call.
            None => wakeups.wake_all(),
        }
        if pool.is_closed() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wake_reaches_only_that_hosts_subscribers() {
        let w = Wakeups::default();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let mut ra = w.subscribe(a);
        let rb = w.subscribe(b);
        w.wake(a);
        assert!(ra.has_changed().unwrap());
        assert!(!rb.has_changed().unwrap());
        ra.changed().await.unwrap();
        w.wake_all();
        assert!(rb.has_changed().unwrap());
    }
}
