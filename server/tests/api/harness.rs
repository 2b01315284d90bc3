//! `spawn_app()`: a fresh database, the server in this process on port 0, an admin key, and
//! typed helpers over the shared test kit's client.

use serde_json::Value;
use slicebroker_server::config::{Secret, UnvalidatedConfig};
use slicebroker_server::http::tls::Certificates;
use slicebroker_server::{App, Config, domain::api_key, store};
use slicebroker_testkit::{Http, InProcess};
use std::net::SocketAddr;
use std::sync::Arc;
use uuid::Uuid;

pub use slicebroker_testkit::{Resp, fresh_database, wait_until};

#[derive(Debug)]
pub struct TestApp {
    pub addr: SocketAddr,
    pub app: App,
    pub admin_key: String,
    pub client: Http,
    /// The certificates of a server started with `tls_cert_file` and `tls_key_file`.
    pub tls: Option<Arc<Certificates>>,
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

/// DESIGN.md §2, invariant 4, checked in every test database: a transaction that inserts a
/// slice, releases one that no agent tears down, or stamps one for teardown must also have
/// moved its host's desired generation (the host row was updated by this very transaction,
/// `xmin`), or it cannot commit. Every API test thus exercises the invariant on every path
/// that changes slices.
pub const INVARIANT_4: &str = r#"
CREATE OR REPLACE FUNCTION test_host_generation_moved() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM gpus g JOIN hosts h ON h.id = g.host_id
                   WHERE g.id = NEW.gpu_id AND h.xmin = pg_current_xact_id()::xid) THEN
        RAISE EXCEPTION 'slice % changed without its host''s desired generation moving', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'test_invariant_4';
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS test_invariant_4_placed ON slices;
CREATE CONSTRAINT TRIGGER test_invariant_4_placed AFTER INSERT ON slices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    EXECUTE FUNCTION test_host_generation_moved();
DROP TRIGGER IF EXISTS test_invariant_4_changed ON slices;
CREATE CONSTRAINT TRIGGER test_invariant_4_changed
    AFTER UPDATE OF released_at, teardown_generation ON slices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD.released_at IS NULL AND NEW.released_at IS NOT NULL
           AND NEW.teardown_generation IS NULL)
          OR OLD.teardown_generation IS DISTINCT FROM NEW.teardown_generation)
    EXECUTE FUNCTION test_host_generation_moved();
"#;

pub async fn spawn_with(tweak: impl FnOnce(&mut UnvalidatedConfig)) -> TestApp {
    let url = fresh_database().await;
    let admin_key = api_key::generate().secret;
    let mut config = UnvalidatedConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: Secret::new(url),
        database_max_connections: "20".parse().unwrap(),
        bootstrap_admin_key: Some(Secret::new(admin_key.clone())),
        log_filter: "warn".into(),
        ..UnvalidatedConfig::default()
    };
    tweak(&mut config);
    let app = serve(valid(config), admin_key).await;
    sqlx::raw_sql(INVARIANT_4)
        .execute(app.app.db())
        .await
        .expect("the invariant 4 check installs");
    app
}

fn valid(config: UnvalidatedConfig) -> Config {
    Config::try_from(config).expect("test config is valid")
}

async fn serve(config: Config, admin_key: String) -> TestApp {
    let server = InProcess::start(config).await;
    TestApp {
        addr: server.addr,
        app: server.app,
        admin_key,
        client: Http::new(&server.url, None),
        tls: server.certs,
    }
}

impl TestApp {
    /// Another server process on the same database, as a second replica behind a load
    /// balancer would be; `tweak` adjusts its configuration.
    pub async fn replica(&self, tweak: impl FnOnce(&mut UnvalidatedConfig)) -> TestApp {
        let mut config = self.app.config().to_unvalidated();
        tweak(&mut config);
        serve(valid(config), self.admin_key.clone()).await
    }

    /// Another handle on the same server (for a concurrent task).
    pub fn clone_client(&self) -> TestApp {
        TestApp {
            addr: self.addr,
            app: self.app.clone(),
            admin_key: self.admin_key.clone(),
            client: self.client.clone(),
            tls: self.tls.clone(),
        }
    }

    pub async fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Resp {
        self.client.send(method, path, token, body, headers).await
    }

    /// A GET without a token, for bodies that are not JSON: status, headers and bytes.
    pub async fn get_raw(
        &self,
        path: &str,
    ) -> (
        u16,
        slicebroker_client::HeaderMap,
        slicebroker_client::Bytes,
    ) {
        let r = self
            .client
            .client()
            .get(path)
            .send()
            .await
            .expect("server answers");
        (r.status.as_u16(), r.headers, r.body)
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.request("GET", path, Some(token), None, &[]).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Resp {
        self.request("POST", path, Some(token), Some(&body.to_string()), &[])
            .await
    }

    pub async fn token(&self, api_key: &str) -> String {
        let r = self
            .request(
                "POST",
                "/v1/auth/token",
                None,
                Some(&serde_json::json!({ "api_key": api_key }).to_string()),
                &[],
            )
            .await;
        r.ok(200)["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn admin_token(&self) -> String {
        self.token(&self.admin_key).await
    }

    /// Creates a tenant with `policy` and a member key; returns (tenant id, member token).
    pub async fn tenant(&self, name: &str, policy: Value) -> (String, String) {
        let admin = self.admin_token().await;
        let mut body = serde_json::json!({ "name": name });
        if !policy.is_null() {
            body["policy"] = policy;
        }
        let t = self.post("/v1/tenants", &admin, &body).await;
        let id = t.ok(201)["id"].as_str().unwrap().to_owned();
        let k = self
            .post(
                &format!("/v1/tenants/{id}/api-keys"),
                &admin,
                &serde_json::json!({ "name": "test", "role": "member" }),
            )
            .await;
        let secret = k.ok(201)["secret"].as_str().unwrap().to_owned();
        (id, self.token(&secret).await)
    }

    /// Seeds `hosts` hosts with `gpus_per_host` GPUs of `model` through the store, then
    /// refreshes the server's placement index.
    pub async fn seed_fleet(&self, hosts: usize, gpus_per_host: usize, model: &str) {
        let db = self.app.db();
        for h in 0..hosts {
            let host = slicebroker_types::HostId::new();
            store::fleet::insert_host(db, host, &format!("host-{h}"))
                .await
                .unwrap();
            for g in 0..gpus_per_host {
                store::fleet::insert_gpu(
                    db,
                    slicebroker_types::GpuId::new(),
                    host,
                    &format!("GPU-{}", Uuid::new_v4()),
                    g as i32,
                    model,
                )
                .await
                .unwrap();
            }
        }
        self.app.refresh_fleet().await.unwrap();
    }

    /// Pairs of live slices that overlap on a GPU in memory slices and time (the exclusion
    /// constraint allows none).
    pub async fn overlapping_slices(&self) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM slices x JOIN slices y ON x.gpu_id = y.gpu_id AND x.id < y.id
             WHERE x.released_at IS NULL AND y.released_at IS NULL
               AND int4range(x.start, x.start + x.size) && int4range(y.start, y.start + y.size)
               AND x.during && y.during",
        )
        .fetch_one(self.app.db())
        .await
        .unwrap()
    }

    /// The row count and a digest of the contents of each table a failed request must not
    /// touch: equal snapshots mean nothing was inserted, updated or deleted.
    pub async fn snapshot(&self) -> Vec<String> {
        let mut out = Vec::new();
        for t in [
            "tenants",
            "api_keys",
            "hosts",
            "gpus",
            "leases",
            "slices",
            "lease_events",
            "audit_log",
            "cost_rates",
        ] {
            let digest: String = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT '{t}:' || count(*) || ':'
                     || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '')
                 FROM {t} x"
            )))
            .fetch_one(self.app.db())
            .await
            .unwrap();
            out.push(digest);
        }
        out
    }
}
