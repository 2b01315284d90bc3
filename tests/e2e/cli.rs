//! `slicectl` as people and scripts use it, against a real server and simulated agent: login
//! with the key on stdin, a lease created with `--wait` until active, `env`, `extend`,
//! `release`, an admin's quota change and every policy field, every documented exit code,
//! `-o json` in the API's shapes, a token the server stopped accepting replaced unasked, a
//! tenant's own keys naming their tenant, a removed host found in the log by its name, the
//! classes as a tenant's leases get them, and a `429` waited out.

use crate::agent::{DEADLINE, node, wait_host};
use serde_json::Value;
use slicebroker_testkit::{Cluster, ClusterOptions, bin, wait_until};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::Stdio;
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// A user's `slicectl`: its own config directory and profile, talking to one cluster.
pub struct Slicectl {
    config: PathBuf,
    server: String,
    /// `--profile`, given before every command's arguments.
    profile: Option<&'static str>,
    /// `SLICEBROKER_CA_FILE`, for an https cluster.
    pub ca_file: Option<PathBuf>,
}

/// What a run of `slicectl` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "slicectl failed: {self:?}");
        &self.stdout
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(self.ok())
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }

    pub fn fails_with(&self, code: i32, says: &str) {
        assert_eq!(self.code, code, "{self:?}");
        assert!(
            self.stderr.contains(says),
            "stderr lacks `{says}`: {self:?}"
        );
    }
}

impl Slicectl {
    pub fn new(c: &Cluster, user: &str, profile: Option<&'static str>) -> Self {
        let config = c.dir.join(format!("slicectl-{user}"));
        Self {
            config,
            server: c.server_url(0).to_owned(),
            profile,
            ca_file: None,
        }
    }

    pub async fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, None).await
    }

    pub async fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let profile = self.profile.map(|p| ["--profile", p]);
        let ca_file = self.ca_file.iter().map(|f| ("SLICEBROKER_CA_FILE", f));
        let mut child = Command::new(bin("slicectl"))
            .args(profile.iter().flatten())
            .args(args)
            .env("SLICEBROKER_CONFIG_DIR", &self.config)
            .env("SLICEBROKER_URL", &self.server)
            .env_remove("SLICEBROKER_PROFILE")
            .env_remove("SLICEBROKER_CA_FILE")
            .envs(ca_file)
            .env("NO_COLOR", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("slicectl starts");
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).await.unwrap();
        }
        drop(input);
        let out = child.wait_with_output().await.unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn config_file(&self) -> PathBuf {
        self.config.join("config.toml")
    }
}

/// An admin logged in as profile `admin`, a tenant `vision` with a member key, and that
/// member logged in as the default profile of a second user (with the key's secret).
async fn setup(c: &Cluster) -> (Slicectl, Slicectl, String) {
    let admin = Slicectl::new(c, "admin", Some("admin"));
    admin
        .run_with_stdin(&["login"], Some(&c.admin_key))
        .await
        .ok();
    admin.run(&["tenant", "create", "vision"]).await.ok();
    let key = admin
        .run(&["key", "create", "alice", "--tenant", "vision", "-o", "json"])
        .await
        .json();
    assert_eq!(key["key"]["role"], "member");
    let secret = key["secret"].as_str().unwrap().to_owned();

    let user = Slicectl::new(c, "alice", None);
    let login = user
        .run_with_stdin(&["login"], Some(&format!("{secret}\n")))
        .await;
    assert!(
        login.ok().contains("as member of tenant vision"),
        "{login:?}"
    );
    // The API key is on disk, for refreshing the token: readable by its owner only.
    let mode = std::fs::metadata(user.config_file())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    (admin, user, secret)
}

async fn lease_json(c: &Cluster, token: &str, id: &str) -> Value {
    c.api("GET", &format!("/v1/leases/{id}"), token, None)
        .await
        .success()
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slicectl_leases_a_slice_from_login_to_release() {
    let mut c = Cluster::start(1).await;
    c.add_agent(node("gpu-a", "h100-80gb:1", 7)).await;
    wait_host(&c, "gpu-a", 1).await;
    let (admin, user, _) = setup(&c).await;

    let created = user
        .run(&[
            "lease",
            "create",
            "2g.20gb",
            "--for",
            "8h",
            "--label",
            "team=vision",
            "--wait",
            "-o",
            "json",
        ])
        .await;
    let lease = created.json();
    assert_eq!(lease["state"], "active", "{created:?}");
    assert!(created.stderr.contains("active on gpu-a"), "{created:?}");
    let id = lease["id"].as_str().unwrap().to_owned();

    // `-o json` is the API's own shape: the same object the API returns.
    let admin_token = c.admin_token().await;
    // Its `usage` runs with the clock (held seconds so far): equal but for that.
    let (mut shown, mut api) = (lease.clone(), lease_json(&c, &admin_token, &id).await);
    let usage = |v: &mut Value| v.as_object_mut().unwrap().remove("usage").unwrap();
    let (shown_usage, api_usage) = (usage(&mut shown), usage(&mut api));
    assert_eq!(shown, api);
    assert_eq!(
        shown_usage["profile_memory_mib"],
        api_usage["profile_memory_mib"]
    );
    assert!(
        shown_usage["held_seconds"].as_f64().unwrap()
            <= api_usage["held_seconds"].as_f64().unwrap()
    );

    let env = user.run(&["lease", "env", &id]).await;
    let mig = lease["slices"][0]["cuda_visible_devices"].as_str().unwrap();
    assert!(mig.starts_with("MIG-"));
    assert!(
        env.ok()
            .contains(&format!("export CUDA_VISIBLE_DEVICES={mig}\n")),
        "{env:?}"
    );
    assert!(env.stdout.starts_with("# slicebroker lease"));
    assert!(env.stdout.contains("host gpu-a"), "{env:?}");

    let extended = user
        .run(&["lease", "extend", &id, "--by", "2h", "-o", "json"])
        .await
        .json();
    assert_eq!(extended["extended_seconds"], 7200);
    assert!(
        user.run(&["lease", "show", &id])
            .await
            .ok()
            .contains("extended by 2h in 1 extension"),
    );

    let listed = user.run(&["lease", "ls", "-o", "json"]).await.json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    let table = user.run(&["lease", "ls"]).await;
    assert!(table.ok().starts_with("ID "), "{table:?}");
    assert!(table.stdout.contains("team=vision"), "{table:?}");

    // The admin's fleet view: the lease's two memory slices, lettered by tenant.
    let fleet = admin.run(&["fleet"]).await;
    let bar = fleet
        .ok()
        .lines()
        .find(|l| l.starts_with("gpu-a"))
        .and_then(|l| l.split_once('[')?.1.strip_suffix(']'))
        .unwrap_or_else(|| panic!("no bar for gpu-a: {fleet:?}"));
    assert_eq!(bar.len(), 8, "{fleet:?}");
    assert_eq!(bar.matches("AA").count(), 1, "{fleet:?}");
    assert_eq!(bar.matches('.').count(), 6, "{fleet:?}");
    assert!(fleet.stdout.contains("A  tenant vision"), "{fleet:?}");

    let released = user.run(&["lease", "release", &id]).await;
    assert!(released.ok().contains("releasing") || released.stdout.contains("ended"));
    wait_until(DEADLINE, "the lease ends", async || {
        let l = user.run(&["lease", "show", &id, "-o", "json"]).await.json();
        if l["state"] == "ended" {
            Ok(())
        } else {
            Err(l["state"].clone())
        }
    })
    .await;
    let events = user.run(&["lease", "events", &id]).await;
    assert!(events.ok().contains("extended"), "{events:?}");
    // Ended leases are left out unless asked for.
    assert!(user.run(&["lease", "ls"]).await.ok().contains("No leases."));
    assert!(user.run(&["lease", "ls", "--all"]).await.ok().contains(&id));

    // Usage: the slice was held, and idle (the simulated agent ran nothing on it) for part
    // of that time, as the agent's reports said.
    let csv = user.run(&["usage", "--csv"]).await;
    let mut lines = csv.ok().split("\r\n");
    assert_eq!(
        lines.next(),
        Some(
            "day,tenant_id,tenant,model,profile,slice_hours,compute_slice_hours,\
             idle_held_slice_hours,cost"
        ),
        "{csv:?}"
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(row[2..5], ["vision", "h100-80gb", "2g.20gb"], "{csv:?}");
    let (held, idle): (f64, f64) = (row[5].parse().unwrap(), row[7].parse().unwrap());
    assert!(idle > 0.0 && idle <= held, "{csv:?}");
    assert_eq!(row[8], "", "no rates: no cost");
    assert!(user.run(&["usage"]).await.ok().contains("IDLE-HELD"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slicectl_exit_codes_tell_scripts_what_happened() {
    let mut c = Cluster::start(1).await;
    c.add_agent(node("gpu-a", "h100-80gb:1", 8)).await;
    wait_host(&c, "gpu-a", 1).await;
    let (admin, user, _) = setup(&c).await;

    // 2: usage.
    user.run(&["lease", "create", "2g.20gb"])
        .await
        .fails_with(2, "--for");
    user.run(&["lease", "create", "2g.20gb", "--for", "eight hours"])
        .await
        .fails_with(2, "not a duration");
    user.run(&["lease", "crate"]).await.fails_with(2, "crate");
    // The API's bounds are usage errors too, before anything is sent.
    user.run(&["lease", "create", "1g.10gb", "--for", "1h", "--count", "0"])
        .await
        .fails_with(2, "--count");
    user.run(&["lease", "create", "--for", "1h", "--compute", "2"])
        .await
        .fails_with(2, "--compute needs --memory");
    admin
        .run(&["enroll", "--ttl", "31d"])
        .await
        .fails_with(2, "at most 30d");

    // 1: a lease that does not exist; with -v, the whole answer.
    let missing = uuid::Uuid::new_v4().to_string();
    user.run(&["lease", "show", &missing])
        .await
        .fails_with(1, "error: not_found: ");
    let verbose = user.run(&["-v", "lease", "show", &missing]).await;
    verbose.fails_with(1, "\"code\": \"not_found\"");
    assert!(verbose.stderr.contains("\"status\": 404"), "{verbose:?}");

    // 4: the tenant's policy (leases of at most 7 days by default).
    user.run(&["lease", "create", "2g.20gb", "--for", "30d"])
        .await
        .fails_with(4, "policy_violation");

    // 4: the admin lowers the quota; a create past it is refused.
    let set = admin
        .run(&[
            "tenant",
            "set",
            "vision",
            "--max-compute-slices",
            "2",
            "-o",
            "json",
        ])
        .await
        .json();
    assert_eq!(set["policy"]["max_live_compute_slices"], 2);
    assert!(
        admin
            .run(&["tenant", "show", "vision"])
            .await
            .ok()
            .contains("Max compute slices    2")
    );
    user.run(&["lease", "create", "3g.40gb", "--for", "1h"])
        .await
        .fails_with(4, "quota_exceeded");

    // Every policy field has an option, 0 included where the API takes it.
    let set = admin
        .run(&[
            "tenant",
            "set",
            "vision",
            "--max-extension",
            "0s",
            "--max-booking-ahead",
            "1d",
            "--max-bookings",
            "0",
            "--max-booking",
            "2h",
            "--max-compute-slices-outside-classes",
            "0",
            "-o",
            "json",
        ])
        .await
        .json();
    let policy = &set["policy"];
    assert_eq!(policy["max_total_extension_seconds"], 0, "{set}");
    assert_eq!(policy["max_booking_ahead_seconds"], 86_400, "{set}");
    assert_eq!(policy["max_bookings"], 0, "{set}");
    assert_eq!(policy["max_booking_seconds"], 7200, "{set}");
    assert_eq!(policy["max_compute_slices_outside_classes"], 0, "{set}");
    // A member shows its own tenant by name, without the admin role.
    let shown = user.run(&["tenant", "show", "vision"]).await;
    for line in [
        "Extensions up to      none: leases cannot be extended",
        "Outside classes       none: every lease must name a slice class",
        "Books ahead up to     1d",
        "Bookings at once      0",
        "Longest booking       2h",
    ] {
        assert!(shown.ok().contains(line), "{line}: {shown:?}");
    }
    user.run(&["lease", "create", "1g.10gb", "--for", "1h"])
        .await
        .fails_with(4, "class");

    // 3: within quota again, but the one GPU holds a 2g, so no 7g fits.
    admin
        .run(&[
            "tenant",
            "set",
            "vision",
            "--max-compute-slices",
            "none",
            "--max-compute-slices-outside-classes",
            "none",
            "--max-booking",
            "none",
        ])
        .await
        .ok();
    let first = user
        .run(&["lease", "create", "2g.20gb", "--for", "1h", "-o", "json"])
        .await
        .json();
    user.run(&["lease", "create", "7g.80gb", "--for", "1h"])
        .await
        .fails_with(3, "no_capacity");

    // 1: --wait that runs out; the queued lease stays, pending.
    let waited = user
        .run(&[
            "lease",
            "create",
            "7g.80gb",
            "--for",
            "1h",
            "--wait",
            "--timeout",
            "1s",
        ])
        .await;
    waited.fails_with(1, "gave up after 1s");
    assert!(waited.stderr.contains("pending"), "{waited:?}");
    let pending = user
        .run(&["lease", "ls", "--state", "pending", "-o", "json"])
        .await
        .json();
    assert_eq!(pending.as_array().unwrap().len(), 1);

    // 1: `env` of a lease that is not active.
    let queued = pending[0]["id"].as_str().unwrap();
    user.run(&["lease", "env", queued])
        .await
        .fails_with(1, "not active");

    // 0 again: releasing the 2g lets the queued 7g in.
    user.run(&["lease", "release", first["id"].as_str().unwrap()])
        .await
        .ok();
    wait_until(DEADLINE, "the queued lease is granted", async || {
        let l = user
            .run(&["lease", "show", queued, "-o", "json"])
            .await
            .json();
        if l["state"] == "active" {
            Ok(())
        } else {
            Err(l["state"].clone())
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slicectl_replaces_a_rejected_token_and_runs_the_fleet() {
    let mut c = Cluster::start(1).await;
    c.add_agent(node("gpu-a", "h100-80gb:2", 9)).await;
    wait_host(&c, "gpu-a", 2).await;
    let (admin, user, secret) = setup(&c).await;

    // A token the server does not accept (as after a key rotation) is replaced on the 401.
    let config = std::fs::read_to_string(user.config_file()).unwrap();
    let token = config
        .lines()
        .find_map(|l| l.strip_prefix("token = "))
        .unwrap()
        .trim_matches('"')
        .to_owned();
    std::fs::write(
        user.config_file(),
        config.replace(&token, "eyJhbGciOiJFZERTQSJ9.e30.c2ln"),
    )
    .unwrap();
    let capacity = user.run(&["capacity", "-o", "json"]).await.json();
    assert!(
        capacity
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["profile"] == "7g.80gb" && r["available"] == 2),
        "{capacity}"
    );
    let renewed = std::fs::read_to_string(user.config_file()).unwrap();
    assert!(
        !renewed.contains("eyJhbGciOiJFZERTQSJ9.e30.c2ln"),
        "{renewed}"
    );
    assert!(!renewed.contains(&token), "{renewed}");
    assert!(user.run(&["capacity"]).await.ok().contains("7g.80gb"));

    // Admin views and cordoning, by name.
    let hosts = admin.run(&["hosts", "-o", "json"]).await.json();
    assert_eq!(hosts[0]["name"], "gpu-a");
    let cordoned = admin
        .run(&["cordon", "gpu", "gpu-a:1", "-o", "json"])
        .await
        .json();
    assert_eq!(cordoned["schedulable"], false);
    let gpus = admin.run(&["gpus"]).await;
    assert!(gpus.ok().contains("cordoned"), "{gpus:?}");
    admin.run(&["uncordon", "gpu", "gpu-a:1"]).await.ok();
    admin.run(&["cordon", "host", "gpu-a"]).await.ok();
    user.run(&["lease", "create", "1g.10gb", "--for", "1h"])
        .await
        .fails_with(3, "no_capacity");
    admin.run(&["uncordon", "host", "gpu-a"]).await.ok();
    // The audit log says who did it, newest first; one GPU's history by the name used above.
    let trail = admin
        .run(&["audit", "gpu", "gpu-a:1", "-o", "json"])
        .await
        .json();
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["uncordon", "cordon"], "{trail}");
    let table = admin.run(&["audit", "host", "--limit", "1"]).await;
    let table = table.ok();
    assert!(
        table.contains("uncordon") && table.contains("schedulable false → true"),
        "{table}"
    );
    assert!(!table.contains(" cordon "), "one entry: {table}");
    user.run(&["audit"]).await.fails_with(1, "forbidden");

    // Members are not admins: the server says so, exit 1.
    user.run(&["tenant", "ls"]).await.fails_with(1, "forbidden");
    // But they name their own tenant (not another) without the admin role.
    let own = user.run(&["tenant", "show", "vision", "-o", "json"]).await;
    assert_eq!(own.json()["name"], "vision");
    let usage = user
        .run(&["usage", "--tenant", "vision", "-o", "json"])
        .await;
    assert!(usage.json().is_array(), "{usage:?}");
    admin.run(&["tenant", "create", "audio"]).await.ok();
    user.run(&["tenant", "show", "audio"])
        .await
        .fails_with(1, "only admins may name other tenants");

    // Keys: listed by a tenant admin naming its tenant, revoked; a revoked key cannot log in,
    // and the token already minted from it is refused too (at once: this cluster's one server
    // revoked it).
    let boss_key = admin
        .run(&[
            "key",
            "create",
            "boss",
            "--role",
            "tenant-admin",
            "--tenant",
            "vision",
            "-o",
            "json",
        ])
        .await
        .json();
    let boss = Slicectl::new(&c, "boss", None);
    boss.run_with_stdin(&["login"], boss_key["secret"].as_str())
        .await
        .ok();
    let keys = boss
        .run(&["key", "ls", "--tenant", "vision", "-o", "json"])
        .await
        .json();
    let alice = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "alice")
        .unwrap_or_else(|| panic!("no key alice: {keys}"));
    let key_id = alice["id"].as_str().unwrap();
    let revoked = boss
        .run(&["key", "revoke", key_id, "--tenant", "vision"])
        .await;
    assert!(
        revoked.ok().contains("the tokens it has are refused"),
        "{revoked:?}"
    );
    user.run_with_stdin(&["--profile", "other", "login"], Some(&secret))
        .await
        .fails_with(1, "unauthenticated");
    user.run(&["lease", "ls"])
        .await
        .fails_with(1, "no longer accepted");

    // An admin without --tenant lists the admin keys; the only one cannot be revoked.
    let admins = admin.run(&["key", "ls", "-o", "json"]).await.json();
    assert_eq!(admins[0]["role"], "admin", "{admins}");
    let only = admins[0]["id"].as_str().unwrap();
    admin
        .run(&["key", "revoke", only])
        .await
        .fails_with(1, "last admin key");

    let enrolled = admin
        .run(&["enroll", "--note", "rack 1", "-o", "json"])
        .await
        .json();
    assert_eq!(enrolled["note"], "rack 1");
    let usage = admin.run(&["usage", "-o", "json"]).await;
    assert!(usage.json().is_array());
    let bash = admin.run(&["completions", "bash"]).await;
    assert!(bash.ok().contains("slicectl"), "{bash:?}");

    // Who removed a host is found by the name it had: the removal keeps it in the log.
    admin.run(&["remove-host", "gpu-a"]).await.ok();
    assert!(!admin.run(&["hosts"]).await.ok().contains("gpu-a"));
    let trail = admin
        .run(&["audit", "host", "gpu-a", "-o", "json"])
        .await
        .json();
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["host.remove", "uncordon", "cordon"], "{trail}");
    assert_eq!(trail[0]["before"]["name"], "gpu-a", "{trail}");
    admin
        .run(&["audit", "host", "gpu-z"])
        .await
        .fails_with(1, "no removed host of that name");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slicectl_books_ahead_reads_the_calendar_and_cancels() {
    // Rate limits for the tenant's last part (admins are never limited): a burst that the
    // steps before it do not use up.
    let mut c = Cluster::start_with(
        1,
        ClusterOptions {
            server_env: vec![
                ("SLICEBROKER_RATE_LIMIT_PER_SECOND".into(), "1".into()),
                ("SLICEBROKER_RATE_LIMIT_BURST".into(), "15".into()),
            ],
            ..ClusterOptions::default()
        },
    )
    .await;
    c.add_agent(node("gpu-a", "h100-80gb:1", 7)).await;
    wait_host(&c, "gpu-a", 1).await;
    let (admin, user, _) = setup(&c).await;

    let start = (chrono::Utc::now() + chrono::Duration::hours(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let booked = user
        .run(&[
            "lease", "create", "7g.80gb", "--at", &start, "--for", "1h", "-o", "json",
        ])
        .await
        .json();
    assert_eq!(booked["state"], "booked");
    assert_eq!(booked["granted_at"], start.as_str());
    let id = booked["id"].as_str().unwrap().to_owned();

    // Three hours of a 3g.40gb fit only after the booking.
    let calendar = user
        .run(&[
            "calendar", "3g.40gb", "--days", "1", "--for", "3h", "-o", "json",
        ])
        .await
        .json();
    let h100 = &calendar[0];
    assert_eq!(h100["model"], "h100-80gb");
    assert_eq!(h100["earliest_start"], booked["ends_at"]);
    assert!(
        h100["intervals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["from"] == start.as_str() && i["available"] == 0),
        "{h100}"
    );
    let text = user.run(&["calendar", "3g.40gb", "--days", "1"]).await;
    assert!(text.ok().contains("h100-80gb 3g.40gb"), "{text:?}");

    let cancelled = user
        .run(&["lease", "release", &id, "-o", "json"])
        .await
        .json();
    assert_eq!(cancelled["state"], "ended");
    assert_eq!(cancelled["end_reason"], "cancelled");

    // A class idles longer than the tenant's default (2h): its leases get the default, and a
    // member sees that; an admin sees whom the class is for.
    let vision = user.run(&["tenant", "show", "vision", "-o", "json"]).await;
    let class = serde_json::json!({
        "description": "Notebooks",
        "profiles": {"h100-80gb": "1g.10gb"},
        "default_duration_seconds": 3600,
        "max_duration_seconds": 8 * 3600,
        "idle_timeout_seconds": 4 * 3600,
        "tenants": [vision.json()["id"]],
    });
    let admin_token = c.admin_token().await;
    c.api("POST", "/v1/classes/notebook", &admin_token, Some(&class))
        .await
        .success();
    let classes = user.run(&["classes"]).await;
    assert!(
        classes.ok().contains("2h (your tenant's; the class's 4h)"),
        "{classes:?}"
    );
    let classes = admin.run(&["classes"]).await;
    let row = classes.ok().lines().find(|l| l.starts_with("notebook"));
    assert!(
        row.is_some_and(|r| r.contains(" 4h ") && r.contains(" vision ")),
        "{classes:?}"
    );

    // Reads past the tenant's rate limit wait out the server's Retry-After, and say so with -v.
    let mut retried = None;
    for _ in 0..40 {
        let run = user.run(&["-v", "capacity", "-o", "json"]).await;
        assert!(run.json().is_array(), "{run:?}");
        if run.stderr.contains("429 rate_limited") {
            retried = Some(run);
            break;
        }
    }
    let retried = retried.expect("40 reads at once are past a burst of 15");
    assert!(
        retried
            .stderr
            .contains("retrying in 1.0s (the server's Retry-After)"),
        "{retried:?}"
    );
}
