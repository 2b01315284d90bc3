//! The fleet: free capacity, the booking calendar, each GPU's memory slices drawn as a bar, hosts and GPUs, and
//! (admins) cordoning.

use super::Ctx;
use crate::cli::{CalendarArgs, CapacityArgs, ColorBy, FleetArgs, TargetArgs, TargetKind};
use crate::error::{Error, Result};
use crate::output::{self, Cell, Color, PALETTE, Style, Table};
use chrono::{DateTime, SubsecRound, Timelike, Utc};
use slicebroker_types::api::{Capacity, CapacityCalendar, Gpu, Host, Tenant};
use slicebroker_types::{GpuId, HostId};
use std::collections::HashMap;
use uuid::Uuid;

/// `slicectl calendar`: per model, the intervals and how many of the profile fit in each.
pub async fn calendar(ctx: &mut Ctx, a: CalendarArgs) -> Result<()> {
    let to = chrono::Utc::now() + chrono::Duration::days(i64::from(a.days));
    let mut path = format!(
        "/v1/capacity/calendar?profile={}&to={}",
        a.profile,
        to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    if let Some(d) = a.duration {
        path.push_str(&format!("&duration={d}"));
    }
    let all: Vec<CapacityCalendar> = ctx.session.get(&path).await?;
    let rows: Vec<CapacityCalendar> = all
        .into_iter()
        .filter(|c| a.model.as_ref().is_none_or(|m| *m == c.model))
        .collect();
    ctx.show(rows.as_slice(), |rows, style| {
        draw_calendar(rows, a.duration, style)
    });
    Ok(())
}

/// The calendars as text: per model, its intervals and how many fit in each, then (with
/// `--for`) the earliest start.
fn draw_calendar(rows: &[CapacityCalendar], duration: Option<i64>, style: &Style) -> String {
    if rows.is_empty() {
        return "No GPU model in the fleet has that profile.\n".into();
    }
    let mut out = String::new();
    for c in rows {
        let format = calendar_format(c);
        let fmt = |t: &DateTime<Utc>| t.format(format).to_string();
        out.push_str(&format!("{} {} (UTC)\n", c.model, c.profile));
        let mut t = Table::new(&["from", "to", "available"]);
        for i in &c.intervals {
            t.row(vec![
                fmt(&i.from).into(),
                fmt(&i.to).into(),
                Cell::colored(
                    i.available.to_string(),
                    Some(if i.available > 0 {
                        Color::Green
                    } else {
                        Color::Dim
                    }),
                ),
            ]);
        }
        out.push_str(&t.render(style));
        if let Some(d) = duration {
            out.push_str(&match c.earliest_start {
                Some(at) => format!(
                    "Earliest start for {}: {}\n",
                    output::duration(d),
                    fmt(&whole_second_up(at))
                ),
                None => format!("No start for {} in this range.\n", output::duration(d)),
            });
        }
        out.push('\n');
    }
    out
}

/// How a calendar shows its times (UTC): to the minute (`Tue 2026-11-24 16:49`), or, when one
/// of them is not on a whole minute, all of them to the second (`Tue 2026-11-24 16:39:12`), so
/// that an interval shorter than a minute does not read `16:39 → 16:39` and the earliest start
/// is one that can be booked. `lease create --at` takes either form as printed.
fn calendar_format(c: &CapacityCalendar) -> &'static str {
    let mut times = c
        .intervals
        .iter()
        .flat_map(|i| [i.from, i.to])
        .chain(c.earliest_start);
    if times.any(|t| t.second() != 0 || t.nanosecond() != 0) {
        "%a %Y-%m-%d %H:%M:%S"
    } else {
        "%a %Y-%m-%d %H:%M"
    }
}

/// `t` rounded up to a whole second: an earliest start is shown to the second at most, and
/// one shown earlier than it is would not fit.
fn whole_second_up(t: DateTime<Utc>) -> DateTime<Utc> {
    let whole = t.trunc_subsecs(0);
    if whole < t {
        whole + chrono::Duration::seconds(1)
    } else {
        whole
    }
}

pub async fn capacity(ctx: &mut Ctx, a: CapacityArgs) -> Result<()> {
    let all: Vec<Capacity> = ctx.session.get("/v1/capacity").await?;
    let rows: Vec<Capacity> = all
        .into_iter()
        .filter(|c| a.model.as_ref().is_none_or(|m| *m == c.model))
        .filter(|c| a.all || c.available > 0)
        .collect();
    ctx.show(rows.as_slice(), |rows, style| {
        if rows.is_empty() {
            return "Nothing fits right now.\n".into();
        }
        let mut t = Table::new(&["model", "profile", "compute", "memory", "available"]);
        for c in rows {
            t.row(vec![
                c.model.clone().into(),
                c.profile.clone().into(),
                c.compute_slices.to_string().into(),
                output::gib(c.memory_gib).into(),
                Cell::colored(
                    c.available.to_string(),
                    Some(if c.available > 0 {
                        Color::Green
                    } else {
                        Color::Dim
                    }),
                ),
            ]);
        }
        t.render(style)
    });
    Ok(())
}

pub async fn hosts(ctx: &mut Ctx) -> Result<()> {
    let hosts: Vec<Host> = ctx.session.get("/v1/hosts").await?;
    ctx.show(hosts.as_slice(), |hosts, style| {
        let now = Utc::now();
        let mut t = Table::new(&["name", "id", "gpus", "state", "last seen", "generation"]);
        for h in hosts {
            let (state, color) = match (h.unreachable_since, h.schedulable) {
                (Some(since), _) => (
                    format!("unreachable {}", output::relative(since, now)),
                    Color::Red,
                ),
                (None, false) => ("cordoned".into(), Color::Yellow),
                (None, true) => ("ready".into(), Color::Green),
            };
            t.row(vec![
                h.name.clone().into(),
                h.id.to_string().into(),
                h.gpu_count.to_string().into(),
                Cell::colored(state, Some(color)),
                h.last_seen_at
                    .map_or("never".into(), |t| output::relative(t, now))
                    .into(),
                h.desired_generation.to_string().into(),
            ]);
        }
        t.render(style)
    });
    Ok(())
}

pub async fn gpus(ctx: &mut Ctx) -> Result<()> {
    let gpus: Vec<Gpu> = ctx.session.get("/v1/gpus").await?;
    ctx.show(gpus.as_slice(), |gpus, style| {
        let now = Utc::now();
        let mut t = Table::new(&[
            "host", "gpu", "model", "uuid", "state", "layout", "health", "id",
        ]);
        for g in gpus {
            t.row(vec![
                g.host.clone().into(),
                g.device_index.to_string().into(),
                g.model.clone().into(),
                g.uuid.clone().into(),
                gpu_state(g),
                g.layout.clone().into(),
                output::health(g.health.as_ref(), now).into(),
                g.id.to_string().into(),
            ]);
        }
        t.render(style)
    });
    Ok(())
}

/// A GPU's state: whether leases are placed on it, and if not why.
fn gpu_state(g: &Gpu) -> Cell {
    if g.host_unreachable_since.is_some() {
        Cell::colored("host unreachable", Some(Color::Red))
    } else if !g.schedulable {
        Cell::colored("cordoned", Some(Color::Yellow))
    } else if !g.placeable {
        // MIG off, or a profile table that differs from the catalog (agent/README.md).
        Cell::colored("not placed on", Some(Color::Yellow))
    } else {
        Cell::colored("ready", Some(Color::Green))
    }
}

pub async fn fleet(ctx: &mut Ctx, a: FleetArgs) -> Result<()> {
    let gpus: Vec<Gpu> = ctx.session.get("/v1/gpus").await?;
    let admin_view = gpus
        .iter()
        .flat_map(|g| &g.slices)
        .any(|s| s.tenant_id.is_some());
    let by = a.by.unwrap_or(if admin_view {
        ColorBy::Tenant
    } else {
        ColorBy::Lease
    });
    // Tenant names, where the caller may list them (admins); ids otherwise.
    let names: HashMap<Uuid, String> = match by {
        ColorBy::Tenant if admin_view => ctx
            .session
            .get::<Vec<Tenant>>("/v1/tenants")
            .await
            .map(|ts| ts.into_iter().map(|t| (t.id.get(), t.name)).collect())
            .unwrap_or_default(),
        _ => HashMap::new(),
    };
    ctx.show(gpus.as_slice(), |gpus, style| {
        draw_fleet(gpus, by, &names, style)
    });
    Ok(())
}

/// What one memory slice shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    Free,
    /// A slice of the `n`th lease or tenant seen.
    Owner(usize),
    /// Held by a lease the caller may not see (another tenant's).
    Hidden,
    /// An instance the broker did not make.
    Unmanaged,
}

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl Mark {
    fn symbol(self) -> char {
        match self {
            Mark::Free => '.',
            Mark::Owner(n) => LETTERS.get(n).map_or('*', |&b| b as char),
            Mark::Hidden => '#',
            Mark::Unmanaged => 'x',
        }
    }

    fn color(self) -> Option<Color> {
        match self {
            Mark::Free => Some(Color::Dim),
            Mark::Owner(n) => Some(PALETTE[n % PALETTE.len()]),
            Mark::Hidden => None,
            Mark::Unmanaged => Some(Color::Red),
        }
    }
}

/// Each GPU's memory slices marked by owner; owners numbered in the order first seen.
fn marks(gpus: &[Gpu], by: ColorBy) -> (Vec<Vec<Mark>>, Vec<Uuid>) {
    let mut owners: Vec<Uuid> = Vec::new();
    let bars = gpus
        .iter()
        .map(|g| {
            let mut bar = vec![Mark::Free; usize::from(g.memory_slices)];
            for s in &g.slices {
                let owner = match by {
                    ColorBy::Lease => s.lease_id.map(Uuid::from),
                    ColorBy::Tenant => s.tenant_id.map(Uuid::from),
                };
                let mark = match owner {
                    _ if s.unmanaged => Mark::Unmanaged,
                    None => Mark::Hidden,
                    Some(id) => {
                        Mark::Owner(owners.iter().position(|o| *o == id).unwrap_or_else(|| {
                            owners.push(id);
                            owners.len() - 1
                        }))
                    }
                };
                let start = usize::try_from(s.start).unwrap_or(0);
                let end = start + usize::try_from(s.size).unwrap_or(0);
                for m in bar.iter_mut().take(end).skip(start) {
                    *m = mark;
                }
            }
            bar
        })
        .collect();
    (bars, owners)
}

/// One line per GPU with its bar, then what each letter means.
fn draw_fleet(gpus: &[Gpu], by: ColorBy, names: &HashMap<Uuid, String>, style: &Style) -> String {
    if gpus.is_empty() {
        return "No GPUs: enroll a host with `slicectl enroll`.\n".into();
    }
    let (bars, owners) = marks(gpus, by);
    let mut t = Table::new(&["host", "gpu", "model", "state", "free", "memory slices"]);
    let (mut free_total, mut width_total) = (0, 0);
    for (g, bar) in gpus.iter().zip(&bars) {
        let free = bar.iter().filter(|m| **m == Mark::Free).count();
        free_total += free;
        width_total += bar.len();
        let drawn: String = bar
            .iter()
            .map(|m| style.paint(&m.symbol().to_string(), m.color()))
            .collect();
        t.row(vec![
            g.host.clone().into(),
            g.device_index.to_string().into(),
            g.model.clone().into(),
            gpu_state(g),
            format!("{free}/{}", bar.len()).into(),
            // The last column is not padded, so its colour codes do not upset the alignment.
            format!("[{drawn}]").into(),
        ]);
    }
    let mut out = t.render(style);
    out.push_str(&format!(
        "\n{} GPUs, {free_total} of {width_total} memory slices free\n",
        gpus.len()
    ));
    let mut legend: Vec<String> = owners
        .iter()
        .enumerate()
        .map(|(n, id)| {
            let m = Mark::Owner(n);
            let what = match by {
                ColorBy::Tenant => format!(
                    "tenant {}",
                    names.get(id).cloned().unwrap_or_else(|| id.to_string())
                ),
                ColorBy::Lease => format!("lease {id}"),
            };
            format!(
                "{}  {what}",
                style.paint(&m.symbol().to_string(), m.color())
            )
        })
        .collect();
    let seen = |mark: Mark| bars.iter().flatten().any(|m| *m == mark);
    if seen(Mark::Hidden) {
        legend.push("#  another tenant's lease".to_owned());
    }
    if seen(Mark::Unmanaged) {
        legend.push(format!(
            "{}  an instance made outside the broker",
            style.paint("x", Mark::Unmanaged.color())
        ));
    }
    legend.push(format!("{}  free", style.paint(".", Mark::Free.color())));
    out.push('\n');
    for line in legend {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// `cordon` (`schedulable = false`) or `uncordon` a host or GPU, named as people know it.
pub async fn cordon(ctx: &mut Ctx, a: TargetArgs, schedulable: bool) -> Result<()> {
    let verb = if schedulable { "uncordon" } else { "cordon" };
    let (path, id) = match a.kind {
        TargetKind::Host => {
            let hosts: Vec<Host> = ctx.session.get("/v1/hosts").await?;
            ("hosts", find_host(&hosts, &a.target)?.get())
        }
        TargetKind::Gpu => {
            let gpus: Vec<Gpu> = ctx.session.get("/v1/gpus").await?;
            ("gpus", find_gpu(&gpus, &a.target)?.get())
        }
    };
    ctx.session
        .post_empty(&format!("/v1/{path}/{id}/{verb}"))
        .await?;
    // Show the object as it is now, in the API's shape.
    match a.kind {
        TargetKind::Host => {
            let hosts: Vec<Host> = ctx.session.get("/v1/hosts").await?;
            let host = hosts.into_iter().find(|h| h.id.get() == id);
            ctx.show(&host, |_, _| cordoned("host", &a.target, schedulable));
        }
        TargetKind::Gpu => {
            let gpus: Vec<Gpu> = ctx.session.get("/v1/gpus").await?;
            let gpu = gpus.into_iter().find(|g| g.id.get() == id);
            ctx.show(&gpu, |_, _| cordoned("GPU", &a.target, schedulable));
        }
    }
    Ok(())
}

/// `remove-host`: `DELETE /v1/hosts/{id}` for a host named as people know it.
pub async fn remove_host(ctx: &mut Ctx, target: &str) -> Result<()> {
    let hosts: Vec<Host> = ctx.session.get("/v1/hosts").await?;
    let id = find_host(&hosts, target)?;
    ctx.session.delete(&format!("/v1/hosts/{id}")).await?;
    ctx.show(&serde_json::json!({ "removed": id }), |_, _| {
        format!("host {target} removed: stop its agent; enrolling it again brings it back\n")
    });
    Ok(())
}

fn cordoned(kind: &str, target: &str, schedulable: bool) -> String {
    if schedulable {
        format!("{kind} {target} uncordoned: leases are placed on it again\n")
    } else {
        format!("{kind} {target} cordoned: no new leases are placed on it; its leases stay\n")
    }
}

pub(super) fn find_host(hosts: &[Host], target: &str) -> Result<HostId> {
    hosts
        .iter()
        .find(|h| h.name == target || h.id.to_string() == target)
        .map(|h| h.id)
        .ok_or_else(|| Error::failed(format!("no host is named `{target}`")))
}

/// A GPU by id, NVML uuid (`GPU-…`) or `HOST:INDEX`.
pub(super) fn find_gpu(gpus: &[Gpu], target: &str) -> Result<GpuId> {
    let by_place = target
        .rsplit_once(':')
        .and_then(|(h, i)| Some((h, i.parse::<i32>().ok()?)));
    gpus.iter()
        .find(|g| {
            g.id.to_string() == target
                || g.uuid == target
                || by_place == Some((g.host.as_str(), g.device_index))
        })
        .map(|g| g.id)
        .ok_or_else(|| {
            Error::failed(format!(
                "no GPU is `{target}`: give its id, its GPU-… uuid or HOST:INDEX"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use slicebroker_types::api::GpuSlice;
    use slicebroker_types::{LeaseId, TenantId};

    fn gpu(host: &str, index: i32, slices: Vec<GpuSlice>) -> Gpu {
        Gpu {
            id: GpuId::new(),
            host_id: HostId::default(),
            host: host.into(),
            uuid: format!("GPU-{host}-{index}"),
            device_index: index,
            model: "h100-80gb".into(),
            memory_slices: 8,
            schedulable: true,
            placeable: true,
            host_unreachable_since: None,
            layout: String::new(),
            slices,
            health: None,
        }
    }

    fn slice(start: i32, size: i32, lease: Option<LeaseId>, tenant: Option<TenantId>) -> GpuSlice {
        GpuSlice {
            profile: "2g.20gb".into(),
            start,
            size,
            lease_id: lease,
            tenant_id: tenant,
            unmanaged: false,
            processes: None,
            memory_used_mib: None,
            last_active_at: None,
        }
    }

    #[test]
    fn the_bar_marks_each_memory_slice_by_owner() {
        let (l1, l2, t) = (LeaseId::new(), LeaseId::new(), TenantId::new());
        let mut unmanaged = slice(6, 1, None, None);
        unmanaged.unmanaged = true;
        let gpus = [
            gpu(
                "a",
                0,
                vec![
                    slice(0, 2, Some(l1), Some(t)),
                    slice(4, 2, Some(l2), Some(t)),
                    unmanaged,
                ],
            ),
            gpu(
                "a",
                1,
                vec![slice(2, 2, None, None), slice(0, 2, Some(l1), Some(t))],
            ),
        ];
        let text = draw_fleet(
            &gpus,
            ColorBy::Lease,
            &HashMap::new(),
            &Style { color: false },
        );
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[1].ends_with("[AA..BBx.]"), "{text}");
        assert!(lines[2].ends_with("[AA##....]"), "{text}");
        assert!(
            text.contains("2 GPUs, 7 of 16 memory slices free"),
            "{text}"
        );
        assert!(text.contains(&format!("A  lease {l1}")), "{text}");
        assert!(text.contains("#  another tenant's lease"), "{text}");
        assert!(
            text.contains("x  an instance made outside the broker"),
            "{text}"
        );

        // By tenant, both leases are one letter, named.
        let names = HashMap::from([(t.get(), "vision".to_owned())]);
        let text = draw_fleet(&gpus, ColorBy::Tenant, &names, &Style { color: false });
        assert!(text.contains("[AA..AAx.]"), "{text}");
        assert!(text.contains("A  tenant vision"), "{text}");
    }

    #[test]
    fn colour_paints_letters_only_on_a_terminal() {
        let l = LeaseId::new();
        let gpus = [gpu("a", 0, vec![slice(0, 1, Some(l), None)])];
        let text = draw_fleet(
            &gpus,
            ColorBy::Lease,
            &HashMap::new(),
            &Style { color: true },
        );
        assert!(text.contains("\x1b[36mA\x1b[0m"), "{text}");
    }

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn calendar(times: &[&str], earliest: Option<&str>) -> CapacityCalendar {
        CapacityCalendar {
            model: "h100-80gb".into(),
            profile: "1g.10gb".into(),
            intervals: times
                .windows(2)
                .enumerate()
                .map(|(n, w)| slicebroker_types::api::CalendarInterval {
                    from: t(w[0]),
                    to: t(w[1]),
                    available: 4 + n as u32,
                })
                .collect(),
            earliest_start: earliest.map(t),
        }
    }

    #[test]
    fn a_calendar_on_whole_minutes_is_shown_to_the_minute() {
        let c = calendar(
            &[
                "2026-11-24T16:00:00Z",
                "2026-11-24T16:39:00Z",
                "2026-11-25T16:00:00Z",
            ],
            Some("2026-11-24T16:39:00Z"),
        );
        let text = draw_calendar(&[c], Some(600), &Style { color: false });
        assert!(
            text.contains("Tue 2026-11-24 16:00  Tue 2026-11-24 16:39  4"),
            "{text}"
        );
        assert!(
            text.contains("Earliest start for 10m: Tue 2026-11-24 16:39\n"),
            "{text}"
        );
    }

    #[test]
    fn a_calendar_off_the_minute_is_shown_to_the_second_and_its_start_can_be_booked() {
        let c = calendar(
            &[
                "2026-11-24T16:39:00Z",
                "2026-11-24T16:39:12Z",
                "2026-11-24T16:49:50Z",
                "2026-11-25T16:00:00Z",
            ],
            Some("2026-11-24T16:49:50Z"),
        );
        let text = draw_calendar(&[c], Some(600), &Style { color: false });
        // A 12-second interval is not `16:39 → 16:39`.
        assert!(
            text.contains("Tue 2026-11-24 16:39:00  Tue 2026-11-24 16:39:12  4"),
            "{text}"
        );
        let line = text
            .lines()
            .find(|l| l.starts_with("Earliest start for 10m: "))
            .unwrap();
        assert_eq!(line, "Earliest start for 10m: Tue 2026-11-24 16:49:50");
        // What is printed is what `lease create --at` books: not a minute earlier.
        let printed = line.trim_start_matches("Earliest start for 10m: ");
        assert_eq!(crate::parse::start(printed), Ok(t("2026-11-24T16:49:50Z")));
    }

    #[test]
    fn an_earliest_start_between_seconds_is_rounded_up() {
        let c = calendar(
            &["2026-11-24T16:00:00Z", "2026-11-25T16:00:00Z"],
            Some("2026-11-24T16:49:50.250Z"),
        );
        let text = draw_calendar(&[c], Some(600), &Style { color: false });
        assert!(
            text.contains("Earliest start for 10m: Tue 2026-11-24 16:49:51\n"),
            "{text}"
        );
        let none = calendar(&["2026-11-24T16:00:00Z", "2026-11-25T16:00:00Z"], None);
        let text = draw_calendar(&[none], Some(600), &Style { color: false });
        assert!(text.contains("No start for 10m in this range."), "{text}");
    }

    #[test]
    fn gpus_are_found_by_id_uuid_or_host_and_index() {
        let gpus = [gpu("node-1", 0, vec![]), gpu("node-1", 1, vec![])];
        assert_eq!(find_gpu(&gpus, "node-1:1").unwrap(), gpus[1].id);
        assert_eq!(find_gpu(&gpus, "GPU-node-1-0").unwrap(), gpus[0].id);
        assert_eq!(
            find_gpu(&gpus, &gpus[1].id.to_string()).unwrap(),
            gpus[1].id
        );
        assert!(find_gpu(&gpus, "node-2:0").is_err());
    }
}
