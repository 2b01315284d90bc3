//! Use cases: each public function is one thing a caller can do, with its transaction. `App`
//! holds what they share (pool, config, signer, placement index, metrics).

pub mod agents;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod classes;
pub mod error;
pub mod fleet;
pub mod group_commit;
pub mod idempotency;
pub mod keys;
pub mod leases;
pub mod lifecycle;
pub mod metrics;
pub mod observe;
pub mod placement;
pub mod rate_limits;
pub mod rates;
pub mod release;
pub mod revocations;
pub mod sign_in;
pub mod tenants;
pub mod usage;
pub mod wakeups;
pub mod webhooks;

pub use error::Error;

/// The largest page a list operation returns, and the page size when none is asked for.
pub const MAX_PAGE: i64 = 500;
const DEFAULT_PAGE: i64 = 100;

/// A list operation's page size: `limit`, 1 to [`MAX_PAGE`] (default 100).
fn page_size(limit: Option<i64>) -> Result<i64, Error> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(Error::invalid(
            "limit",
            format!("must be between 1 and {MAX_PAGE}"),
        ));
    }
    Ok(limit)
}

use crate::config::Config;
use crate::store;
use std::sync::{Arc, Weak};

/// Shared state of one server process; cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    db: sqlx::PgPool,
    config: Config,
    signer: auth::Signer,
    /// The organisation's OIDC issuer; `None` when not configured.
    sign_in: Option<sign_in::SignIn>,
    revocations: revocations::Revocations,
    rate_limits: rate_limits::RateLimits,
    index: placement::PlacementIndex,
    metrics: metrics::Metrics,
    wakeups: Arc<wakeups::Wakeups>,
    /// Group commit of grants and releases; `None` when off.
    writers: Option<leases::Writers>,
}

/// An [`App`] that does not keep the server alive: for its own background tasks.
#[derive(Clone, Debug)]
pub(crate) struct WeakApp(Weak<Inner>);

impl WeakApp {
    pub(crate) fn upgrade(&self) -> Option<App> {
        self.0.upgrade().map(|inner| App { inner })
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] sqlx::Error),
    #[error("cannot apply migrations: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    #[error(
        "the database has {done} of this server's {all} migrations and run_migrations is off: \
         run `slicebroker-server migrate` first"
    )]
    NotMigrated { done: usize, all: usize },
    #[error("{0}")]
    Init(#[source] Error),
}

impl App {
    /// Connects, migrates (if configured), loads the signing key and the placement index, and
    /// creates the bootstrap admin key if one is configured and none exists. Starts nothing
    /// in the background: a server that serves calls [`App::spawn_background`] too, and the
    /// admin commands never do (so they never run a lifecycle pass).
    pub async fn start(config: Config) -> Result<Self, StartError> {
        let db = store::connect(
            config.database_url.expose(),
            config.database_max_connections.get(),
        )
        .await
        .map_err(StartError::Connect)?;
        Self::with_pool(config, db).await
    }

    pub async fn with_pool(config: Config, db: sqlx::PgPool) -> Result<Self, StartError> {
        if config.run_migrations {
            store::migrate(&db).await.map_err(StartError::Migrate)?;
        } else {
            let (done, all) = store::migrations_applied(&db)
                .await
                .map_err(StartError::Connect)?;
            if done < all {
                return Err(StartError::NotMigrated { done, all });
            }
        }
        let signer = auth::Signer::load(&config, &db)
            .await
            .map_err(StartError::Init)?;
        let sign_in = sign_in::SignIn::from_config(&config).map_err(StartError::Init)?;
        let revocations = revocations::Revocations::new(config.key_revocation_delay());
        let rate_limits = rate_limits::RateLimits::new(
            config.rate_limit_per_second.get(),
            config.rate_limit_burst.get(),
        );
        let index = placement::PlacementIndex::new(config.placement_policy);
        index
            .refresh(&db)
            .await
            .map_err(|e| StartError::Init(e.into()))?;
        if let Some(secret) = &config.bootstrap_admin_key {
            keys::bootstrap_admin(&db, secret.expose())
                .await
                .map_err(StartError::Init)?;
        }
        let wakeups = Arc::new(wakeups::Wakeups::default());
        let app = Self {
            inner: Arc::new_cyclic(|inner| {
                let writers =
                    leases::Writers::spawn(WeakApp(inner.clone()), config.group_commit_max.get());
                Inner {
                    db,
                    config,
                    signer,
                    sign_in,
                    revocations,
                    rate_limits,
                    index,
                    metrics: metrics::Metrics::default(),
                    wakeups,
                    writers,
                }
            }),
        };
        Ok(app)
    }

    /// Starts what a serving replica runs besides requests: the listener that wakes agents'
    /// long-polls and the pending queue, the placement index's periodic reload, and (unless
    /// configured off) the lifecycle jobs. Each task ends when the process does.
    pub fn spawn_background(&self) {
        tokio::spawn(wakeups::listen(
            self.db().clone(),
            self.inner.wakeups.clone(),
        ));
        if self.config().lifecycle_jobs {
            lifecycle::spawn(self.clone());
        }
        if self.config().webhooks {
            webhooks::deliver::spawn(self.clone());
        }
        self.spawn_index_refresh();
        self.spawn_window_reloads();
    }

    /// Reloads the placement index every `placement_refresh`, so that this replica sees
    /// what other replicas granted and released. The task ends when the last `App` is dropped.
    fn spawn_index_refresh(&self) {
        let app: Weak<Inner> = Arc::downgrade(&self.inner);
        let period = self.inner.config.placement_refresh();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            tick.tick().await;
            loop {
                tick.tick().await;
                let Some(inner) = app.upgrade() else { break };
                if let Err(e) = inner.index.refresh(&inner.db).await {
                    tracing::warn!(error = %store::describe(&e), "placement index refresh failed");
                }
            }
        });
    }

    /// Reloads in the placement index the GPUs whose slices' windows another replica (or this
    /// one) moved outside a grant (`store::notify::windows_moved`).
    fn spawn_window_reloads(&self) {
        let app: Weak<Inner> = Arc::downgrade(&self.inner);
        let mut moved = self.inner.wakeups.subscribe_windows();
        tokio::spawn(async move {
            while moved.changed().await.is_ok() {
                let Some(inner) = app.upgrade() else { break };
                for gpu in inner.wakeups.take_moved() {
                    if let Err(e) = inner.index.refresh_gpu(&inner.db, gpu).await {
                        tracing::warn!(%gpu, error = %store::describe(&e), "reloading a GPU whose windows moved failed; the periodic reload catches up");
                    }
                }
            }
        });
    }

    pub fn db(&self) -> &sqlx::PgPool {
        &self.inner.db
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn signer(&self) -> &auth::Signer {
        &self.inner.signer
    }

    pub fn sign_in(&self) -> Option<&sign_in::SignIn> {
        self.inner.sign_in.as_ref()
    }

    pub fn revocations(&self) -> &revocations::Revocations {
        &self.inner.revocations
    }

    pub fn rate_limits(&self) -> &rate_limits::RateLimits {
        &self.inner.rate_limits
    }

    pub fn index(&self) -> &placement::PlacementIndex {
        &self.inner.index
    }

    pub fn metrics(&self) -> &metrics::Metrics {
        &self.inner.metrics
    }

    pub(crate) fn writers(&self) -> Option<&leases::Writers> {
        self.inner.writers.as_ref()
    }

    /// Wakes agents' desired-config long-polls.
    pub fn wakeups(&self) -> &wakeups::Wakeups {
        &self.inner.wakeups
    }

    /// Re-reads the fleet from the database (after inventory changes made elsewhere).
    pub async fn refresh_fleet(&self) -> Result<(), Error> {
        self.inner.index.refresh(&self.inner.db).await?;
        Ok(())
    }
}
