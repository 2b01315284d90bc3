//! LISTEN/NOTIFY: the database tells every replica when a host's desired generation moved
//! (`sb_desired`, migrations/0002_agents.sql) and when capacity came back (`sb_capacity`,
//! migrations/0003_lifecycle.sql) and when webhook deliveries were queued (`sb_webhooks`,
//! migrations/0014_webhooks.sql), and when slices' windows moved outside a grant (`sb_windows`,
//! [`windows_moved`]). The app turns these into wake-ups (`app::wakeups`).

use slicebroker_types::{GpuId, HostId};
use sqlx::PgExecutor;
use sqlx::postgres::PgListener;
use std::time::Duration;

const DESIRED: &str = "sb_desired";
const CAPACITY: &str = "sb_capacity";
const WEBHOOKS: &str = "sb_webhooks";
const WINDOWS: &str = "sb_windows";

/// What a notification says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// This host's desired generation moved.
    Desired(HostId),
    /// A slice was released or a lease ended.
    Capacity,
    /// Webhook deliveries were queued.
    Webhooks,
    /// The windows of slices on this GPU moved (a booking came up, moved, a lease was
    /// extended): placement indexes reload it.
    Windows(GpuId),
    /// Notifications may have been missed (the connection was lost or just made): re-read.
    Missed,
}

/// Listens until the pool closes, reconnecting after errors, and hands every notice to `on`.
pub async fn listen(pool: sqlx::PgPool, on: impl Fn(Notice)) {
    loop {
        match listen_once(&pool, &on).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(error = %super::describe(&e), "notification listener lost; reconnecting");
                on(Notice::Missed);
                if pool.is_closed() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

async fn listen_once(pool: &sqlx::PgPool, on: &impl Fn(Notice)) -> Result<(), sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener
        .listen_all([DESIRED, CAPACITY, WEBHOOKS, WINDOWS])
        .await?;
    // Anything that changed while nobody was listening.
    on(Notice::Missed);
    loop {
        match listener.try_recv().await? {
            Some(n) if n.channel() == CAPACITY => on(Notice::Capacity),
            Some(n) if n.channel() == WEBHOOKS => on(Notice::Webhooks),
            Some(n) if n.channel() == WINDOWS => match n.payload().parse::<GpuId>() {
                Ok(gpu) => on(Notice::Windows(gpu)),
                Err(_) => tracing::warn!(payload = n.payload(), "odd {WINDOWS} payload"),
            },
            Some(n) => match n.payload().parse::<HostId>() {
                Ok(host) => on(Notice::Desired(host)),
                Err(_) => tracing::warn!(payload = n.payload(), "odd {DESIRED} payload"),
            },
            // The connection dropped; `try_recv` reconnects on the next call.
            None => on(Notice::Missed),
        }
        if pool.is_closed() {
            return Ok(());
        }
    }
}

/// Tells every replica, when the transaction commits, that slices' windows on `gpus` moved in
/// a way their placement indexes cannot know from their own writes: they reload those GPUs
/// rather than wait for their periodic reload (or a refused grant). Only for rare changes
/// (bookings coming up or moving, extensions); grants and releases are not announced.
pub async fn windows_moved(db: impl PgExecutor<'_>, gpus: &[GpuId]) -> Result<(), sqlx::Error> {
    if gpus.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "SELECT pg_notify('sb_windows', g::text) FROM unnest($1::uuid[]) g",
        gpus as &[GpuId]
    )
    .fetch_all(db)
    .await
    .map(|_| ())
}
