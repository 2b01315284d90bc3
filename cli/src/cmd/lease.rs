//! `slicectl lease …`: create (and wait until ready), list, show, extend, release, revoke,
//! events, and `env` to use an active lease.

use super::{Ctx, query_value};
use crate::cli::{CreateArgs, ExtendArgs, LeaseCommand, ListArgs};
use crate::error::{Error, Result};
use crate::output::{self, Cell, Color, Style, Table};
use chrono::{DateTime, Utc};
use slicebroker_types::LeaseId;
use slicebroker_types::api::{
    DurationInput, Lease, LeaseCreate, LeaseEvent, LeaseExtend, LeasePage, LeaseState,
};
use std::time::{Duration, Instant};

pub async fn run(ctx: &mut Ctx, command: LeaseCommand) -> Result<()> {
    match command {
        LeaseCommand::Create(a) => create(ctx, a).await,
        LeaseCommand::Ls(a) => list(ctx, a).await,
        LeaseCommand::Show(a) => {
            let lease = show(ctx, a.id).await?;
            ctx.show(&lease, human);
            Ok(())
        }
        LeaseCommand::Extend(a) => extend(ctx, a).await,
        LeaseCommand::Release(a) => end(ctx, a.id, "release").await,
        LeaseCommand::Revoke(a) => end(ctx, a.id, "revoke").await,
        LeaseCommand::Events(a) => {
            let events: Vec<LeaseEvent> = ctx
                .session
                .get(&format!("/v1/leases/{}/events", a.id))
                .await?;
            ctx.show(events.as_slice(), events_table);
            Ok(())
        }
        LeaseCommand::Env(a) => {
            let lease = show(ctx, a.id).await?;
            let env = env(&lease, Utc::now())?;
            ctx.show(&lease, |_, _| env);
            Ok(())
        }
    }
}

async fn show(ctx: &mut Ctx, id: LeaseId) -> Result<Lease> {
    ctx.session.get(&format!("/v1/leases/{id}")).await
}

async fn create(ctx: &mut Ctx, a: CreateArgs) -> Result<()> {
    let req = LeaseCreate {
        class: a.class,
        profile: a.profile,
        min_memory_gib: a.memory,
        min_compute_slices: a.compute,
        duration: a.duration.map(DurationInput::Seconds),
        gpu_models: a.models,
        count: Some(a.count),
        idle_timeout: a.idle_timeout.map(DurationInput::Seconds),
        labels: a.labels.into_iter().collect(),
        wait: a.wait,
        priority: a.priority,
        start: a.at,
        tenant_id: None,
    };
    let lease: Lease = ctx.session.post_once("/v1/leases", &req).await?;
    if !a.wait {
        ctx.show(&lease, |l, style| {
            format!("{}\n{}\n", human(l, style), created(l, Utc::now()))
        });
        return Ok(());
    }
    let timeout = Duration::from_secs(a.timeout.unsigned_abs());
    let lease = wait_active(ctx, lease, timeout).await?;
    ctx.show(&lease, |l, style| {
        format!(
            "{}\nReady: eval \"$(slicectl lease env {})\"\n",
            human(l, style),
            l.id
        )
    });
    Ok(())
}

/// What became of a lease just created without --wait. Times as everywhere else in the output
/// (`output::when`: `2026-11-24 09:00:00Z (in 2h)`).
fn created(l: &Lease, now: DateTime<Utc>) -> String {
    match l.state {
        LeaseState::Pending => "Queued until capacity frees up".to_owned(),
        LeaseState::Booked => format!(
            "Booked from {}; release it to cancel before then",
            output::when(l.granted_at, now)
        ),
        _ => format!(
            "Granted; it is ready once `slicectl lease show {}` says active \
             (or create with --wait)",
            l.id
        ),
    }
}

/// Polls the lease until it is active, saying on stderr each state it passes through.
async fn wait_active(ctx: &mut Ctx, mut lease: Lease, timeout: Duration) -> Result<Lease> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(200);
    let mut said = None;
    loop {
        if said != Some(lease.state) {
            eprintln!("lease {}: {}", lease.id, progress(&lease));
            said = Some(lease.state);
        }
        match lease.state {
            LeaseState::Active => return Ok(lease),
            LeaseState::Releasing | LeaseState::Ended => {
                let why = lease.end_reason.map_or("released", |r| r.as_str());
                return Err(Error::failed(format!(
                    "lease {} ended ({why}) before it became active",
                    lease.id
                )));
            }
            LeaseState::Booked | LeaseState::Pending | LeaseState::Provisioning => {}
        }
        if start.elapsed() >= timeout {
            return Err(Error::failed(format!(
                "gave up after {} waiting for lease {} to become active; it is {} and stays \
                 (`slicectl lease release {}` to give it up)",
                output::duration(timeout.as_secs() as i64),
                lease.id,
                lease.state,
                lease.id
            )));
        }
        tokio::time::sleep(pause.min(timeout.saturating_sub(start.elapsed()))).await;
        pause = (pause * 3 / 2).min(Duration::from_secs(2));
        lease = show(ctx, lease.id).await?;
    }
}

fn progress(l: &Lease) -> String {
    match l.state {
        LeaseState::Pending => "pending: queued until capacity frees up".into(),
        LeaseState::Provisioning => format!("provisioning on {}", hosts(l)),
        LeaseState::Active => format!("active on {}", hosts(l)),
        other => other.to_string(),
    }
}

async fn list(ctx: &mut Ctx, a: ListArgs) -> Result<()> {
    let mut filter = String::new();
    if let Some(s) = a.state {
        filter.push_str(&format!("&state={s}"));
    }
    if let Some((k, v)) = &a.label {
        filter.push_str(&format!("&label={}", query_value(&format!("{k}={v}"))));
    }
    if let Some(t) = &a.tenant {
        filter.push_str(&format!("&tenant_id={}", ctx.tenant_id(t).await?));
    }
    let keep = |l: &Lease| a.all || a.state.is_some() || l.state != LeaseState::Ended;
    let mut leases = Vec::new();
    let mut cursor = None;
    loop {
        let after = cursor.map(|c| format!("&cursor={c}")).unwrap_or_default();
        let page: LeasePage = ctx
            .session
            .get(&format!("/v1/leases?limit=500{filter}{after}"))
            .await?;
        leases.extend(page.items.into_iter().filter(keep));
        cursor = page.next_cursor;
        if cursor.is_none() || leases.len() >= a.limit {
            break;
        }
    }
    leases.truncate(a.limit);
    ctx.show(leases.as_slice(), leases_table);
    Ok(())
}

async fn extend(ctx: &mut Ctx, a: ExtendArgs) -> Result<()> {
    let body = LeaseExtend {
        by: DurationInput::Seconds(a.by),
    };
    let lease: Lease = ctx
        .session
        .post(&format!("/v1/leases/{}/extend", a.id), &body)
        .await?;
    ctx.show(&lease, |l, _| {
        format!(
            "Lease {} extended by {}: it ends {}\n",
            l.id,
            output::duration(a.by),
            output::when(l.ends_at, Utc::now())
        )
    });
    Ok(())
}

/// `release` or `revoke`.
async fn end(ctx: &mut Ctx, id: LeaseId, how: &str) -> Result<()> {
    let lease: Lease = ctx
        .session
        .post_bare(&format!("/v1/leases/{id}/{how}"))
        .await?;
    ctx.show(&lease, |l, style| {
        format!(
            "Lease {} is {}\n",
            l.id,
            style.paint(l.state.as_str(), state_color(l.state))
        )
    });
    Ok(())
}

/// The shell lines that point CUDA at an active lease's MIG devices.
fn env(lease: &Lease, now: DateTime<Utc>) -> Result<String> {
    if lease.state != LeaseState::Active {
        return Err(Error::failed(not_active(lease, now)));
    }
    let devices: Vec<&str> = lease
        .slices
        .iter()
        .filter_map(|s| {
            s.cuda_visible_devices
                .as_deref()
                .or(s.mig_device_uuid.as_deref())
        })
        .collect();
    if devices.len() != lease.slices.len() {
        return Err(Error::failed(format!(
            "lease {} is active but the server has not said every slice's MIG device",
            lease.id
        )));
    }
    Ok(format!(
        "# slicebroker lease {}: run on host {}\nexport CUDA_VISIBLE_DEVICES={}\n",
        lease.id,
        hosts(lease),
        devices.join(",")
    ))
}

/// Why `env` has no device for a lease that is not active, as its state says: not yet (with
/// when it starts, where that is known), or not any more.
fn not_active(l: &Lease, now: DateTime<Utc>) -> String {
    let wait = format!("(wait with `slicectl lease show {}`)", l.id);
    let why = match l.state {
        LeaseState::Booked => match l.granted_at {
            Some(t) => format!(
                "it starts {}, so there is no device to use until then",
                output::when(Some(t), now)
            ),
            None => "it is booked ahead, so there is no device to use until it starts".into(),
        },
        LeaseState::Pending => {
            format!("it is queued until capacity frees up, so there is no device to use yet {wait}")
        }
        LeaseState::Provisioning => {
            let on = match hosts(l) {
                h if h == "-" => String::new(),
                h => format!(" on {h}"),
            };
            format!("its slices are being made{on}, so there is no device to use yet {wait}")
        }
        LeaseState::Releasing => {
            "its slices are being given back, so there is no device to use any more".into()
        }
        LeaseState::Ended => match l.ended_at {
            Some(t) => format!(
                "it ended {}, so there is no device to use any more",
                output::when(Some(t), now)
            ),
            None => "it is over, so there is no device to use any more".into(),
        },
        // `env` asks only about leases that are not active.
        LeaseState::Active => "it is active".into(),
    };
    let reason = l
        .end_reason
        .map_or_else(String::new, |r| format!(" ({})", r.as_str()));
    format!("lease {} is {}{reason}, not active: {why}", l.id, l.state)
}

/// The distinct hosts of a lease's slices, comma-separated.
fn hosts(l: &Lease) -> String {
    let mut hosts: Vec<&str> = Vec::new();
    for s in &l.slices {
        if !hosts.contains(&s.host.as_str()) {
            hosts.push(&s.host);
        }
    }
    if hosts.is_empty() {
        "-".into()
    } else {
        hosts.join(",")
    }
}

pub fn state_color(s: LeaseState) -> Option<Color> {
    Some(match s {
        LeaseState::Active => Color::Green,
        LeaseState::Booked | LeaseState::Pending | LeaseState::Provisioning => Color::Yellow,
        LeaseState::Releasing | LeaseState::Ended => Color::Dim,
    })
}

fn labels(l: &Lease) -> String {
    let text: Vec<String> = l.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    if text.is_empty() {
        "-".into()
    } else {
        text.join(",")
    }
}

fn leases_table(leases: &[Lease], style: &Style) -> String {
    if leases.is_empty() {
        return "No leases.\n".into();
    }
    let now = Utc::now();
    let mut t = Table::new(&["id", "state", "request", "count", "host", "ends", "labels"]);
    for l in leases {
        let ends = match (l.state, l.ends_at) {
            (LeaseState::Ended, _) => l.end_reason.map_or("ended", |r| r.as_str()).to_owned(),
            (_, Some(e)) => output::relative(e, now),
            (_, None) => format!("{} after grant", output::duration(l.duration_seconds)),
        };
        t.row(vec![
            l.id.to_string().into(),
            Cell::colored(l.state.as_str(), state_color(l.state)),
            l.request.clone().into(),
            l.count.to_string().into(),
            hosts(l).into(),
            ends.into(),
            labels(l).into(),
        ]);
    }
    t.render(style)
}

/// One lease for people: its fields, then its slices.
fn human(l: &Lease, style: &Style) -> String {
    let now = Utc::now();
    let mut state = style.paint(l.state.as_str(), state_color(l.state));
    if let Some(r) = l.end_reason {
        state.push_str(&format!(" ({})", r.as_str()));
    }
    let mut length = output::duration(l.duration_seconds);
    if l.extensions > 0 {
        length.push_str(&format!(
            " (extended by {} in {} extension{})",
            output::duration(l.extended_seconds),
            l.extensions,
            if l.extensions == 1 { "" } else { "s" }
        ));
    }
    let mut out = output::fields(&[
        ("Lease", l.id.to_string()),
        ("State", state),
        ("Class", l.class.clone().unwrap_or_else(|| "-".into())),
        ("Request", format!("{} × {}", l.request, l.count)),
        ("Duration", length),
        ("Idle timeout", output::duration(l.idle_timeout_seconds)),
        ("Labels", labels(l)),
        ("Created", output::when(Some(l.created_at), now)),
        ("Granted", output::when(l.granted_at, now)),
        ("Active since", output::when(l.activated_at, now)),
        (
            if l.ended_at.is_some() {
                "Ended"
            } else {
                "Ends"
            },
            output::when(l.ended_at.or(l.ends_at), now),
        ),
        ("Used", used(l)),
        ("GPU health", gpu_health(l, now)),
    ]);
    if !l.slices.is_empty() {
        let mut t = Table::new(&["host", "gpu", "model", "profile", "memory", "mig device"]);
        for s in &l.slices {
            t.row(vec![
                s.host.clone().into(),
                s.gpu_uuid.clone().into(),
                s.model.clone().into(),
                format!("{} @{}", s.profile, s.start).into(),
                output::gib(s.memory_gib).into(),
                s.mig_device_uuid
                    .clone()
                    .unwrap_or_else(|| "-".into())
                    .into(),
            ]);
        }
        out.push('\n');
        out.push_str(&t.render(style));
    }
    out
}

/// Each GPU the lease is on (`GET /v1/leases/{id}` only), with the XIDs that hit the lease;
/// `-` elsewhere.
fn gpu_health(l: &Lease, now: chrono::DateTime<Utc>) -> String {
    let gpus = l.health.as_ref().map_or(&[][..], |h| &h.gpus);
    if gpus.is_empty() {
        return "-".into();
    }
    gpus.iter()
        .map(|g| format!("{}: {}", g.gpu_uuid, output::health(Some(&g.health), now)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// What the lease really used: peak memory against its profile's, busy share, idle-held
/// hours; `-` before any report.
fn used(l: &Lease) -> String {
    let Some(u) = &l.usage else {
        return "-".into();
    };
    let peak = u
        .peak_memory_mib
        .map_or("-".into(), |p| format!("{:.1} GiB", p as f64 / 1024.0));
    let of = u.profile_memory_mib.map_or(String::new(), |p| {
        format!(" of {:.0} GiB", p as f64 / 1024.0)
    });
    let busy = u
        .busy_share
        .map_or("-".into(), |b| format!("{:.0} %", b * 100.0));
    format!(
        "peak {peak}{of}, busy {busy}, idle-held {:.2} h",
        u.idle_held_hours
    )
}

fn events_table(events: &[LeaseEvent], style: &Style) -> String {
    let mut t = Table::new(&["at", "event", "state", "by", "detail"]);
    for e in events {
        let state = match (e.from_state, e.to_state) {
            (Some(f), Some(t)) => format!("{f} → {t}"),
            (None, Some(t)) => t.to_string(),
            _ => "-".into(),
        };
        let detail = match &e.detail {
            serde_json::Value::Null => "-".into(),
            serde_json::Value::Object(m) if m.is_empty() => "-".into(),
            d => d.to_string(),
        };
        t.row(vec![
            e.at.format("%Y-%m-%d %H:%M:%SZ").to_string().into(),
            e.kind.as_str().into(),
            state.into(),
            e.actor.clone().into(),
            detail.into(),
        ]);
    }
    t.render(style)
}

#[cfg(test)]
mod tests {
    use super::*;
    use slicebroker_types::api::LeaseSlice;
    use slicebroker_types::{GpuId, HostId, SliceId, TenantId};

    fn lease(state: LeaseState, devices: &[(&str, &str)]) -> Lease {
        let now = Utc::now();
        Lease {
            id: LeaseId::default(),
            tenant_id: TenantId::default(),
            state,
            end_reason: None,
            request: "2g.20gb".into(),
            class: None,
            count: devices.len() as i32,
            duration_seconds: 28_800,
            idle_timeout_seconds: 7200,
            extended_seconds: 0,
            extensions: 0,
            labels: [("team".to_owned(), "vision".to_owned())].into(),
            granted_at: Some(now),
            activated_at: None,
            ends_at: Some(now + chrono::Duration::hours(8)),
            ended_at: None,
            created_at: now,
            usage: None,
            health: None,
            slices: devices
                .iter()
                .map(|(host, mig)| LeaseSlice {
                    id: SliceId::default(),
                    host_id: HostId::default(),
                    host: (*host).into(),
                    gpu_id: GpuId::default(),
                    gpu_uuid: "GPU-1".into(),
                    model: "h100-80gb".into(),
                    profile: "2g.20gb".into(),
                    start: 0,
                    size: 2,
                    compute_slices: 2,
                    memory_gib: 20,
                    mig_device_uuid: Some((*mig).into()),
                    cuda_visible_devices: Some((*mig).into()),
                    released_at: None,
                })
                .collect(),
        }
    }

    #[test]
    fn env_exports_the_mig_devices_and_names_the_host() {
        let l = lease(
            LeaseState::Active,
            &[("gpu-a", "MIG-1"), ("gpu-a", "MIG-2")],
        );
        assert_eq!(
            env(&l, Utc::now()).unwrap(),
            format!(
                "# slicebroker lease {}: run on host gpu-a\nexport CUDA_VISIBLE_DEVICES=MIG-1,MIG-2\n",
                LeaseId::default()
            )
        );
    }

    #[test]
    fn env_refuses_a_lease_that_is_not_active() {
        let l = lease(LeaseState::Provisioning, &[("gpu-a", "MIG-1")]);
        let e = env(&l, Utc::now()).unwrap_err();
        assert!(e.to_string().contains("provisioning, not active"), "{e}");
        assert_eq!(e.exit(), crate::error::Exit::Error);
    }

    #[test]
    fn env_says_not_yet_or_not_any_more_as_the_state_says() {
        let now = "2026-11-24T16:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let said = |l: &Lease| env(l, now).unwrap_err().to_string();
        let id = LeaseId::default();

        let mut booked = lease(LeaseState::Booked, &[]);
        booked.granted_at = Some(now + chrono::Duration::hours(2));
        assert_eq!(
            said(&booked),
            format!(
                "lease {id} is booked, not active: it starts 2026-11-24 18:00:00Z (in 2h), so \
                 there is no device to use until then"
            )
        );
        let pending = lease(LeaseState::Pending, &[]);
        assert_eq!(
            said(&pending),
            format!(
                "lease {id} is pending, not active: it is queued until capacity frees up, so \
                 there is no device to use yet (wait with `slicectl lease show {id}`)"
            )
        );
        let provisioning = lease(LeaseState::Provisioning, &[("gpu-a", "MIG-1")]);
        assert!(
            said(&provisioning).contains("being made on gpu-a, so there is no device to use yet"),
            "{}",
            said(&provisioning)
        );

        let mut ended = lease(LeaseState::Ended, &[("gpu-a", "MIG-1")]);
        ended.end_reason = Some(slicebroker_types::api::EndReason::Expired);
        ended.ended_at = Some(now - chrono::Duration::minutes(5));
        let text = said(&ended);
        assert_eq!(
            text,
            format!(
                "lease {id} is ended (expired), not active: it ended 2026-11-24 15:55:00Z \
                 (5m ago), so there is no device to use any more"
            )
        );
        assert!(!text.contains("yet"), "{text}");
        let releasing = lease(LeaseState::Releasing, &[("gpu-a", "MIG-1")]);
        assert!(said(&releasing).ends_with("no device to use any more"));
    }

    #[test]
    fn a_booking_says_its_start_as_other_times_are_shown() {
        let now = "2026-11-24T16:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let mut booked = lease(LeaseState::Booked, &[]);
        booked.granted_at = Some("2026-11-24T16:38:00Z".parse().unwrap());
        assert_eq!(
            created(&booked, now),
            "Booked from 2026-11-24 16:38:00Z (in 38m); release it to cancel before then"
        );
        assert!(!created(&booked, now).contains("+00:00"));
    }

    #[test]
    fn the_lease_table_has_a_row_per_lease() {
        let text = leases_table(
            &[lease(LeaseState::Active, &[("gpu-a", "MIG-1")])],
            &Style { color: false },
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].starts_with("ID "));
        assert!(lines[1].contains("active") && lines[1].contains("team=vision"));
        assert!(lines[1].contains("in 8h"), "{text}");
    }
}
