//! Wake-ups for agents' desired-config long-polls and for the pending queue. The database
//! notifies every replica when a host's desired generation moves or capacity comes back
//! (`store::notify`); each replica wakes the polls it holds for that host, whichever replica
//! made the change. It also collects the GPUs whose slices' windows moved elsewhere, for the
//! placement index to reload.

use crate::store::notify::{self, Notice};
use slicebroker_types::{GpuId, HostId};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Per-host wake-up signals. A poll subscribes before it reads the generation, so a change that
/// commits in between still wakes it.
#[derive(Debug)]
pub struct Wakeups {
    hosts: Mutex<HashMap<HostId, watch::Sender<u64>>>,
    capacity: watch::Sender<u64>,
    webhooks: watch::Sender<u64>,
    /// GPUs whose windows moved, not yet reloaded; `windows_moved` changes as they come.
    moved: Mutex<BTreeSet<GpuId>>,
    windows_moved: watch::Sender<u64>,
}

impl Default for Wakeups {
    fn default() -> Self {
        Self {
            hosts: Mutex::default(),
            capacity: watch::channel(0).0,
            webhooks: watch::channel(0).0,
            moved: Mutex::default(),
            windows_moved: watch::channel(0).0,
        }
    }
}

impl Wakeups {
    /// Changes whenever capacity may have come back, on any replica.
    pub fn subscribe_capacity(&self) -> watch::Receiver<u64> {
        self.capacity.subscribe()
    }

    /// Changes whenever webhook deliveries were queued, on any replica.
    pub fn subscribe_webhooks(&self) -> watch::Receiver<u64> {
        self.webhooks.subscribe()
    }

    /// Changes whenever slices' windows moved on some GPU ([`Wakeups::take_moved`]).
    pub fn subscribe_windows(&self) -> watch::Receiver<u64> {
        self.windows_moved.subscribe()
    }

    /// The GPUs whose windows moved since the last call.
    pub fn take_moved(&self) -> BTreeSet<GpuId> {
        std::mem::take(&mut *self.moved.lock().expect("wakeups lock"))
    }

    fn windows(&self, gpu: GpuId) {
        self.moved.lock().expect("wakeups lock").insert(gpu);
        self.windows_moved.send_modify(|n| *n += 1);
    }

    /// Wakes this replica's webhook worker (a redelivery asked here).
    pub fn wake_webhooks(&self) {
        self.webhooks.send_modify(|n| *n += 1);
    }

    pub fn subscribe(&self, host: HostId) -> watch::Receiver<u64> {
        let mut hosts = self.hosts.lock().expect("wakeups lock");
        if hosts.len() > 64 {
            hosts.retain(|_, tx| tx.receiver_count() > 0);
        }
        hosts
            .entry(host)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    pub fn wake(&self, host: HostId) {
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
        self.webhooks.send_modify(|n| *n += 1);
    }
}

/// Wakes whoever the database's notifications concern, until the pool closes.
pub async fn listen(pool: sqlx::PgPool, wakeups: Arc<Wakeups>) {
    notify::listen(pool, |notice| match notice {
        Notice::Desired(host) => wakeups.wake(host),
        Notice::Capacity => wakeups.capacity.send_modify(|n| *n += 1),
        Notice::Webhooks => wakeups.webhooks.send_modify(|n| *n += 1),
        Notice::Windows(gpu) => wakeups.windows(gpu),
        Notice::Missed => wakeups.wake_all(),
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wake_reaches_only_that_hosts_subscribers() {
        let w = Wakeups::default();
        let (a, b) = (HostId::new(), HostId::new());
        let mut ra = w.subscribe(a);
        let rb = w.subscribe(b);
        w.wake(a);
        assert!(ra.has_changed().unwrap());
        assert!(!rb.has_changed().unwrap());
        ra.changed().await.unwrap();
        w.wake_all();
        assert!(rb.has_changed().unwrap());
    }

    #[tokio::test]
    async fn moved_windows_are_collected_until_taken() {
        let w = Wakeups::default();
        let mut rx = w.subscribe_windows();
        let (g1, g2) = (GpuId::new(), GpuId::new());
        w.windows(g1);
        w.windows(g2);
        w.windows(g1);
        assert!(rx.has_changed().unwrap());
        rx.borrow_and_update();
        assert_eq!(w.take_moved(), [g1, g2].into_iter().collect());
        assert!(w.take_moved().is_empty());
    }
}
