//! The lifecycle jobs against rows the API would never write today (limits from before they
//! were bounded, a row whose update fails) and with two replicas running every job at once:
//! one bad lease never stalls a job for the others, and every event is written once, by the
//! transaction whose guarded update changed the lease.

use crate::agents::enrolled_host;
use crate::harness::{TestApp, spawn_with, wait_until};
use serde_json::{Value, json};
use std::time::Duration;

async fn exec(app: &TestApp, sql: &str) {
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(app.app.db())
        .await
        .unwrap();
}

async fn lease_row(app: &TestApp, id: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT state::text, end_reason::text FROM leases WHERE id = $1::uuid")
        .bind(id)
        .fetch_one(app.app.db())
        .await
        .unwrap()
}

async fn create(app: &TestApp, token: &str) -> String {
    let r = app
        .post(
            "/v1/leases",
            token,
            &json!({"profile": "1g.10gb", "duration": "1h"}),
        )
        .await;
    r.ok(201)["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn one_bad_lease_never_stalls_a_lifecycle_job_for_the_others() {
    let app = spawn_with(|c| c.lifecycle_interval = "50ms".parse().unwrap()).await;
    app.seed_fleet(1, 2, "h100-80gb").await;
    let (_, a) = app.tenant("team-a", Value::Null).await;
    let (_, b) = app.tenant("team-b", Value::Null).await;
    let idle = create(&app, &a).await;
    let huge = create(&app, &b).await;
    let failing = create(&app, &a).await;
    let due = create(&app, &a).await;
    // Rows from before the bounds existed: a limit near i64::MAX and an end in year 13434.
    exec(
        &app,
        "ALTER TABLE leases DROP CONSTRAINT leases_durations_bounded",
    )
    .await;
    exec(
        &app,
        &format!(
            "UPDATE leases SET state = 'active', activated_at = now() - interval '1 hour',
                 granted_at = now() - interval '1 hour',
                 idle_timeout_seconds = 30 WHERE id = '{idle}';
             UPDATE leases SET state = 'active', activated_at = now() - interval '1 hour',
                 granted_at = now() - interval '1 hour',
                 idle_timeout_seconds = 9223372036854775807,
                 ends_at = '13434-11-04T00:00:00Z' WHERE id = '{huge}';
             CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
             BEGIN
                 IF NEW.id = '{failing}' AND OLD.state = 'active'
                     AND NEW.state IS DISTINCT FROM OLD.state THEN
                     RAISE EXCEPTION 'a row that cannot be updated';
                 END IF;
                 RETURN NEW;
             END $$;
             CREATE TRIGGER test_refuse BEFORE UPDATE ON leases
                 FOR EACH ROW EXECUTE FUNCTION test_refuse();
             UPDATE leases SET state = 'active', activated_at = now(),
                 idle_timeout_seconds = 3600, ends_at = now() - interval '2 minutes'
                 WHERE id = '{failing}';
             UPDATE leases SET state = 'active', activated_at = now(),
                 idle_timeout_seconds = 3600, ends_at = now() - interval '1 minute'
                 WHERE id = '{due}';"
        ),
    )
    .await;
    wait_until(
        Duration::from_secs(10),
        "idle reclamation and expiry to go on past the bad rows",
        async || {
            let rows = (lease_row(&app, &idle).await, lease_row(&app, &due).await);
            if rows.0.1.is_some() && rows.1.1.is_some() {
                Ok(())
            } else {
                Err(rows)
            }
        },
    )
    .await;
    assert_eq!(
        lease_row(&app, &idle).await.1.as_deref(),
        Some("reclaimed_idle")
    );
    assert_eq!(lease_row(&app, &due).await.1.as_deref(), Some("expired"));
    assert_eq!(lease_row(&app, &failing).await.0, "active");
    assert_eq!(lease_row(&app, &huge).await.0, "active");
}

/// Counts of events per lease for `kind`.
async fn event_counts(app: &TestApp, kind: &str) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT count(e.id) FROM leases l LEFT JOIN lease_events e
             ON e.lease_id = l.id AND e.kind::text = $1
         GROUP BY l.id ORDER BY l.id",
    )
    .bind(kind)
    .fetch_all(app.app.db())
    .await
    .unwrap()
}

#[tokio::test]
async fn two_replicas_write_each_one_shot_warning_once() {
    let tweak = |c: &mut slicebroker_server::config::UnvalidatedConfig| {
        c.lifecycle_interval = "10ms".parse().unwrap();
        c.expiry_warning = "1h".parse().unwrap();
        c.idle_warning_percent = "50".parse().unwrap();
    };
    let a = spawn_with(tweak).await;
    let b = a.replica(tweak).await;
    a.seed_fleet(4, 2, "h100-80gb").await;
    b.app.refresh_fleet().await.unwrap();
    let (_, team) = a.tenant("team-a", Value::Null).await;
    let mut ids = Vec::new();
    for _ in 0..40 {
        ids.push(create(&a, &team).await);
    }
    // All at once: active, ending within the warning window, idle past the warning share.
    exec(
        &a,
        "UPDATE leases SET state = 'active', activated_at = now() - interval '40 minutes',
             granted_at = now() - interval '40 minutes',
             idle_timeout_seconds = 3600, ends_at = now() + interval '30 minutes'",
    )
    .await;
    wait_until(
        Duration::from_secs(15),
        "every lease to be warned",
        async || {
            let counts = (
                event_counts(&a, "expiring").await,
                event_counts(&a, "idle_warning").await,
            );
            if counts.0.iter().all(|n| *n >= 1) && counts.1.iter().all(|n| *n >= 1) {
                Ok(())
            } else {
                Err(counts)
            }
        },
    )
    .await;
    // Many more passes of both replicas: still one of each.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(event_counts(&a, "expiring").await, vec![1; 40]);
    assert_eq!(event_counts(&a, "idle_warning").await, vec![1; 40]);
    // An extension moves the end: one more `expiring` for the new end, once.
    let l = &ids[0];
    a.post(
        &format!("/v1/leases/{l}/extend"),
        &team,
        &json!({"by": "5m"}),
    )
    .await
    .ok(200);
    wait_until(
        Duration::from_secs(5),
        "the new end to be warned about",
        async || {
            let n = event_counts(&a, "expiring").await.iter().sum::<i64>();
            if n == 41 {
                Ok(())
            } else {
                Err(format!("{n} `expiring` events"))
            }
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(event_counts(&a, "expiring").await.iter().sum::<i64>(), 41);
}

/// A lost host ends each live lease once, on whichever replica: `host_lost` for a lease in
/// use, but the reason its owner gave for one that was being released (the slices stay taken
/// until the agent destroys them, which is about the slices, not the lease). No event is
/// written for a lease that had already ended.
#[tokio::test]
async fn a_lost_host_ends_each_lease_once_with_what_its_owner_did() {
    let tweak = |c: &mut slicebroker_server::config::UnvalidatedConfig| {
        c.lifecycle_interval = "10ms".parse().unwrap();
        c.host_unreachable_after = "1s".parse().unwrap();
        c.host_lost_after = "1s".parse().unwrap();
    };
    let a = spawn_with(tweak).await;
    let b = a.replica(tweak).await;
    let _cred = enrolled_host(&a, "node-1", "GPU-1").await;
    // The agent counts as just heard from until the leases are set up, however slow this
    // machine is: the host cannot go unreachable between the grants and the release.
    let seen = |at: &'static str| {
        let a = &a;
        async move {
            exec(
                a,
                &format!("UPDATE host_heartbeats SET last_seen_at = {at}"),
            )
            .await;
        }
    };
    seen("now() + interval '1 hour'").await;
    b.app.refresh_fleet().await.unwrap();
    let (_, team) = a.tenant("team-a", Value::Null).await;
    let mut in_use = Vec::new();
    for _ in 0..5 {
        in_use.push(create(&a, &team).await);
    }
    let released = create(&a, &team).await;
    let r = a
        .post(&format!("/v1/leases/{released}/release"), &team, &json!({}))
        .await;
    assert_eq!(
        r.ok(200)["state"],
        "releasing",
        "the agent has yet to tear it down"
    );
    // The agent never reports: the host goes unreachable, then lost.
    seen("now()").await;
    wait_until(
        Duration::from_secs(10),
        "every lease on the lost host to end",
        async || {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM leases WHERE state = 'ended'")
                .fetch_one(a.app.db())
                .await
                .unwrap();
            if n == 6 {
                Ok(())
            } else {
                Err(format!("{n} of 6 ended"))
            }
        },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    for id in &in_use {
        assert_eq!(lease_row(&a, id).await.1.as_deref(), Some("host_lost"));
    }
    // The GPU view says so too: still schedulable (not cordoned), but not placed on.
    let admin = a.admin_token().await;
    let gpus = a.get("/v1/gpus", &admin).await.ok(200).clone();
    assert_eq!(gpus[0]["schedulable"], true, "{gpus}");
    assert_eq!(gpus[0]["placeable"], false, "{gpus}");
    assert!(gpus[0]["host_unreachable_since"].is_string(), "{gpus}");
    assert_eq!(
        lease_row(&a, &released).await.1.as_deref(),
        Some("released")
    );
    let (host_lost, ended_events, from_ended): (i64, i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE kind = 'host_lost'),
                count(*) FILTER (WHERE kind = 'ended'),
                count(*) FILTER (WHERE from_state = 'ended')
         FROM lease_events",
    )
    .fetch_one(a.app.db())
    .await
    .unwrap();
    assert_eq!((host_lost, ended_events, from_ended), (5, 1, 0));
    // The slices stay taken until the agent destroys them.
    let live: i64 = sqlx::query_scalar("SELECT count(*) FROM slices WHERE released_at IS NULL")
        .fetch_one(a.app.db())
        .await
        .unwrap();
    assert_eq!(live, 6);
}

/// What `slicebroker-server admin …` does: `App::start` and no `spawn_background`. A lease
/// that is due stays as it is while such an app lives, through many lifecycle intervals; the
/// same app ends it once its background jobs are started, so the wait could have seen a pass.
#[tokio::test]
async fn starting_the_app_runs_no_lifecycle_pass_until_its_jobs_are_started() {
    let app = spawn_with(|c| c.lifecycle_jobs = false).await;
    app.seed_fleet(1, 1, "h100-80gb").await;
    let (_, team) = app.tenant("team-a", Value::Null).await;
    let due = create(&app, &team).await;
    exec(
        &app,
        &format!(
            "UPDATE leases SET state = 'active', activated_at = now(),
                 ends_at = now() - interval '1 minute' WHERE id = '{due}'"
        ),
    )
    .await;
    let mut config = app.app.config().to_unvalidated();
    config.lifecycle_jobs = true;
    config.lifecycle_interval = "10ms".parse().unwrap();
    let config = slicebroker_server::Config::try_from(config).unwrap();
    let started = slicebroker_server::App::start(config).await.unwrap();
    // A negative: nothing to poll for, so wait out 30 lifecycle intervals.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(lease_row(&app, &due).await, ("active".to_owned(), None));
    started.spawn_background();
    wait_until(
        Duration::from_secs(10),
        "the started jobs to expire the lease",
        async || match lease_row(&app, &due).await {
            (_, Some(reason)) => Ok(reason),
            row => Err(row),
        },
    )
    .await;
    assert_eq!(lease_row(&app, &due).await.1.as_deref(), Some("expired"));
}
