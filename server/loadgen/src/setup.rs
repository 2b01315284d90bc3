//! What the benchmark runs against: a fresh database with the server in this process, or a
//! running server; and the seeding of its fleet and tenants.

use anyhow::Context;
use serde_json::{Value, json};
use slicebroker_client::Client;
use slicebroker_server::config::{Bounded, Config, Secret, UnvalidatedConfig};
use slicebroker_server::{App, domain::api_key, store};
use slicebroker_types::{GpuId, HostId};
use uuid::Uuid;

/// The fleet's models, alternating.
const MODELS: [&str; 2] = ["h100-80gb", "a100-40gb"];
const GPUS_PER_HOST: usize = 8;

#[derive(Debug)]
pub struct Target {
    pub base_url: String,
    pub db: sqlx::PgPool,
    pub admin_key: String,
    /// The in-process server, and the database made for it (to drop afterwards).
    local: Option<(App, String, String)>,
}

impl Target {
    /// A fresh database on the PostgreSQL of `admin_url`, and the server on a free port; it
    /// allows webhooks to loopback targets if asked (the `--webhook` receiver).
    pub async fn in_process(
        admin_url: &str,
        pool: u32,
        group_commit_max: usize,
        webhook_to_loopback: bool,
    ) -> anyhow::Result<Self> {
        let name = format!("sb_load_{}", Uuid::new_v4().simple());
        let admin = sqlx::PgPool::connect(admin_url).await?;
        // The name is a generated UUID: nothing to inject.
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await?;
        admin.close().await;
        let (prefix, _) = admin_url
            .rsplit_once('/')
            .context("the database URL names a database")?;
        let url = format!("{prefix}/{name}");
        let admin_key = api_key::generate().secret;
        let config = Config::try_from(UnvalidatedConfig {
            listen: "127.0.0.1:0".parse()?,
            database_url: Secret::new(url.clone()),
            database_max_connections: Bounded::new(pool.into()).map_err(anyhow::Error::msg)?,
            group_commit_max: Bounded::new(u64::try_from(group_commit_max)?)
                .map_err(anyhow::Error::msg)?,
            bootstrap_admin_key: Some(Secret::new(admin_key.clone())),
            log_filter: "warn".into(),
            webhook_allow_private_targets: webhook_to_loopback,
            ..UnvalidatedConfig::default()
        })?;
        // Its warnings and errors (a 500's cause) on stderr.
        slicebroker_server::telemetry::init(&config);
        let app = App::start(config).await?;
        app.spawn_background();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let served = app.clone();
        tokio::spawn(async move {
            if let Err(e) =
                slicebroker_server::http::serve(listener, served, std::future::pending()).await
            {
                eprintln!("server stopped: {e}");
            }
        });
        let db = sqlx::PgPool::connect(&url).await?;
        Ok(Self {
            base_url,
            db,
            admin_key,
            local: Some((app, admin_url.to_owned(), name)),
        })
    }

    /// A running server at `url` whose database is `db_url`.
    pub async fn remote(url: &str, db_url: &str, admin_key: Option<&str>) -> anyhow::Result<Self> {
        Ok(Self {
            base_url: url.to_owned(),
            db: sqlx::PgPool::connect(db_url).await?,
            admin_key: admin_key.context("--admin-key is required")?.to_owned(),
            local: None,
        })
    }

    /// Makes the server see the seeded fleet: at once in process, else at its next refresh.
    pub async fn refresh(&self) -> anyhow::Result<()> {
        match &self.local {
            Some((app, ..)) => Ok(app.refresh_fleet().await?),
            None => {
                eprintln!("waiting 6s for the server's periodic index refresh");
                tokio::time::sleep(std::time::Duration::from_secs(6)).await;
                Ok(())
            }
        }
    }

    /// Drops the benchmark database unless asked to keep it.
    pub async fn finish(self, keep: bool) -> anyhow::Result<()> {
        self.db.close().await;
        let Some((app, admin_url, name)) = self.local else {
            return Ok(());
        };
        app.db().close().await;
        if keep {
            eprintln!("kept database {name}");
            return Ok(());
        }
        let admin = sqlx::PgPool::connect(&admin_url).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {name} WITH (FORCE)"
        )))
        .execute(&admin)
        .await?;
        Ok(())
    }
}

/// Inserts `gpus` GPUs, 8 per host, alternating models; returns a summary of the mix.
pub async fn seed_fleet(db: &sqlx::PgPool, gpus: usize) -> anyhow::Result<String> {
    let run = Uuid::new_v4().simple().to_string();
    let mut tx = db.begin().await?;
    let mut host = HostId::default();
    for g in 0..gpus {
        if g % GPUS_PER_HOST == 0 {
            host = HostId::new();
            let name = format!("load-{}-{}", &run[..8], g / GPUS_PER_HOST);
            store::fleet::insert_host(&mut *tx, host, &name).await?;
        }
        store::fleet::insert_gpu(
            &mut *tx,
            GpuId::new(),
            host,
            &format!("GPU-{}", Uuid::new_v4()),
            (g % GPUS_PER_HOST) as i32,
            MODELS[g % MODELS.len()],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(MODELS
        .iter()
        .enumerate()
        .map(|(i, m)| format!("{} {m}", (gpus + MODELS.len() - 1 - i) / MODELS.len()))
        .collect::<Vec<_>>()
        .join(", "))
}

/// Creates `n` tenants without quotas, each with a member key; returns their tokens.
pub async fn tenants(client: &Client, admin_key: &str, n: usize) -> anyhow::Result<Vec<String>> {
    let token = |body: Value| body["access_token"].as_str().map(str::to_owned);
    let admin = post(
        client,
        "/v1/auth/token",
        None,
        &json!({ "api_key": admin_key }),
    )
    .await
    .and_then(|b| token(b).context("no access_token"))?;
    let run = Uuid::new_v4().simple().to_string();
    let mut tokens = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("load-{}-{i}", &run[..8]);
        let t = post(
            client,
            "/v1/tenants",
            Some(&admin),
            &json!({ "name": name }),
        )
        .await?;
        let id = t["id"].as_str().context("tenant id")?;
        let k = post(
            client,
            &format!("/v1/tenants/{id}/api-keys"),
            Some(&admin),
            &json!({ "name": "load", "role": "member" }),
        )
        .await?;
        let secret = k["secret"].as_str().context("key secret")?;
        let issued = post(
            client,
            "/v1/auth/token",
            None,
            &json!({ "api_key": secret }),
        )
        .await?;
        tokens.push(token(issued).context("no access_token")?);
    }
    Ok(tokens)
}

/// POSTs `body`, with a bearer token if given; a refusal is an error naming the problem.
/// A token for the admin key.
pub async fn admin_token(client: &Client, admin_key: &str) -> anyhow::Result<String> {
    let issued = post(
        client,
        "/v1/auth/token",
        None,
        &json!({ "api_key": admin_key }),
    )
    .await?;
    Ok(issued["access_token"]
        .as_str()
        .context("no access_token")?
        .to_owned())
}

async fn post(
    client: &Client,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> anyhow::Result<Value> {
    let mut req = client.post(path).json(body);
    if let Some(t) = token {
        req = req.bearer(t);
    }
    Ok(req.call().await?)
}
