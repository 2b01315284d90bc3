//! `spawn_app()`: a fresh database, a server on port 0, an admin key, and typed HTTP helpers.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::Value;
use slicebroker_server::{App, Config, config::Secret, domain::api_key, store};
use std::net::SocketAddr;
use uuid::Uuid;

pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

#[derive(Debug)]
pub struct TestApp {
    pub addr: SocketAddr,
    pub app: App,
    pub admin_key: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// A response: status, content type and JSON body (`Null` if empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
    /// The body as text.
    pub text: String,
    pub headers: hyper::HeaderMap,
}

impl Resp {
    /// Asserts a problem+json error with this status and code; returns the body.
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.body
        );
        assert_eq!(self.body["code"], code, "{}", self.body);
        assert_eq!(self.body["status"], status);
        &self.body
    }

    pub fn ok(&self, status: u16) -> &Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        &self.body
    }
}

/// A fresh, migrated database with a unique name.
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

/// Polls `check` until it holds or `deadline` passes.
pub async fn eventually(
    deadline: std::time::Duration,
    mut check: impl AsyncFnMut() -> bool,
) -> bool {
    let until = std::time::Instant::now() + deadline;
    while std::time::Instant::now() < until {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    check().await
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

pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let url = fresh_database().await;
    let admin_key = api_key::generate().secret;
    let mut config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        database_url: Secret::new(url),
        database_max_connections: 20,
        bootstrap_admin_key: Some(Secret::new(admin_key.clone())),
        log_filter: "warn".into(),
        ..Config::default()
    };
    tweak(&mut config);
    let app = serve(config, admin_key).await;
    sqlx::raw_sql(INVARIANT_4)
        .execute(app.app.db())
        .await
        .expect("the invariant 4 check installs");
    app
}

async fn serve(config: Config, admin_key: String) -> TestApp {
    config.validate().expect("test config is valid");
    let app = App::start(config).await.expect("app starts");
    app.spawn_background();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let served = app.clone();
    tokio::spawn(async move {
        slicebroker_server::http::serve(listener, served, std::future::pending())
            .await
            .unwrap();
    });
    TestApp {
        addr,
        app,
        admin_key,
        client: Client::builder(TokioExecutor::new()).build_http(),
    }
}

impl TestApp {
    /// Another server process on the same database, as a second replica behind a load
    /// balancer would be; `tweak` adjusts its configuration.
    pub async fn replica(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = self.app.config().clone();
        tweak(&mut config);
        serve(config, self.admin_key.clone()).await
    }

    /// Another handle on the same server (for a concurrent task).
    pub fn clone_client(&self) -> TestApp {
        TestApp {
            addr: self.addr,
            app: self.app.clone(),
            admin_key: self.admin_key.clone(),
            client: self.client.clone(),
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
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("http://{}{path}", self.addr));
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let typed = headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !typed {
            req = req.header("content-type", "application/json");
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Full::new(Bytes::from(body.unwrap_or("").to_owned())))
            .unwrap();
        let res = self.client.request(req).await.expect("server answers");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            content_type,
            body,
            text: String::from_utf8_lossy(&bytes).into_owned(),
            headers,
        }
    }

    /// A GET without a token, for bodies that are not JSON: status, headers and bytes.
    pub async fn get_raw(&self, path: &str) -> (u16, hyper::HeaderMap, Bytes) {
        let uri = format!("http://{}{path}", self.addr).parse().unwrap();
        let res = self.client.get(uri).await.expect("server answers");
        let (parts, body) = res.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        (parts.status.as_u16(), parts.headers, bytes)
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

    /// Pairs of live slices that overlap on a GPU (the exclusion constraint allows none).
    pub async fn overlapping_slices(&self) -> i64 {
        sqlx::query_scalar(
            "SELECT count(*) FROM slices x JOIN slices y ON x.gpu_id = y.gpu_id AND x.id < y.id
             WHERE x.released_at IS NULL AND y.released_at IS NULL
               AND int4range(x.start, x.start + x.size) && int4range(y.start, y.start + y.size)",
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
