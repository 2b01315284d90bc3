//! `gpu_health`, `gpu_xids` and `gpu_xid_totals` (migration 0022): what agents report of their
//! GPUs' health, recorded by the observed-report transaction, and read back for the GPU and
//! lease views.

use super::Tx;
use slicebroker_types::agent::{EccCounts, ThrottleReason};
use slicebroker_types::api::{GpuHealthRecord, MAX_XIDS_SHOWN, XidRecord};
use slicebroker_types::{GpuId, LeaseId, TenantId};
use std::collections::HashMap;
use uuid::Uuid;

/// XIDs kept per GPU: the newest. At least one report's worth (`MAX_XIDS_PER_REPORT`), so
/// that a report's XIDs are all kept.
pub const XID_HISTORY: i64 = 100;
const _: () = assert!(XID_HISTORY as usize >= slicebroker_types::limits::MAX_XIDS_PER_REPORT);

/// Readings are rewritten at least this often while they stay the same, so `reported_at`
/// stays this close to the agent's last report.
pub const REFRESH_SECONDS: f64 = 60.0;

/// One GPU's readings from a report.
#[derive(Debug)]
pub struct Readings {
    pub gpu_id: GpuId,
    pub temperature_c: Option<i32>,
    pub power_mw: Option<i32>,
    pub ecc: Option<EccCounts>,
    pub throttle_reasons: Option<Vec<ThrottleReason>>,
    pub xids_dropped: i64,
}

/// One XID from a report, with the leases whose instances it hit.
#[derive(Debug)]
pub struct NewXid {
    pub gpu_id: GpuId,
    pub xid: i32,
    pub fatal: bool,
    pub gpu_instance_id: Option<i32>,
    pub compute_instance_id: Option<i32>,
    pub leases: Vec<LeaseId>,
}

/// Locks the XID marks (migration 0024) of `gpus`, making those not there yet, in GPU id
/// order, and returns each one's highest XID number recorded (-1: none). One statement; only
/// reports write marks, and they take them where they take health rows (see [`record`]).
pub async fn lock_xid_marks(
    tx: &mut Tx<'_>,
    gpus: &[GpuId],
) -> Result<HashMap<GpuId, i64>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"INSERT INTO gpu_xid_marks AS m (gpu_id, seq)
           SELECT DISTINCT g, -1 FROM unnest($1::uuid[]) AS g ORDER BY g
           ON CONFLICT (gpu_id) DO UPDATE SET seq = m.seq
           RETURNING gpu_id AS "gpu_id!: GpuId", seq"#,
        &gpus.iter().map(|g| g.get()).collect::<Vec<_>>(),
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| (r.gpu_id, r.seq)).collect())
}

/// Records a report's health in one statement for all its GPUs: the readings (a GPU's row is
/// written only when a reading changed, XIDs were dropped, or it is [`REFRESH_SECONDS`] old),
/// the XIDs, their per-GPU totals, the trimming of each GPU's history to the newest
/// [`XID_HISTORY`], and each GPU's highest XID number recorded (`marks`, locked first with
/// [`lock_xid_marks`]). Health rows are locked in GPU id order; no other writer takes them,
/// and the caller writes them before any lease row (the lock order of `app::observe`).
/// `readings` holds each GPU once.
pub async fn record(
    tx: &mut Tx<'_>,
    readings: &[Readings],
    xids: &[NewXid],
    marks: &[(GpuId, i64)],
) -> Result<(), sqlx::Error> {
    if readings.is_empty() && xids.is_empty() && marks.is_empty() {
        return Ok(());
    }
    let ecc = |f: fn(&EccCounts) -> u64| -> Vec<Option<i64>> {
        readings
            .iter()
            .map(|r| r.ecc.as_ref().map(|e| f(e) as i64))
            .collect()
    };
    // Comma-joined names (the set is closed and has no commas); `string_to_array('', ',')` is
    // the empty array.
    let throttle: Vec<Option<String>> = readings
        .iter()
        .map(|r| {
            r.throttle_reasons
                .as_ref()
                .map(|t| t.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(","))
        })
        .collect();
    let (hit_n, hit_lease): (Vec<i64>, Vec<Uuid>) = xids
        .iter()
        .enumerate()
        .flat_map(|(n, x)| x.leases.iter().map(move |l| (n as i64 + 1, l.get())))
        .unzip();
    sqlx::query!(
        r#"WITH h AS (
               SELECT * FROM unnest($1::uuid[], $2::int4[], $3::int4[], $4::int8[], $5::int8[],
                       $6::int8[], $7::int8[], $8::text[], $9::int8[])
                   AS h(gpu_id, temperature_c, power_mw, vc, vu, ac, au, throttle, dropped)
           ), readings AS (
               INSERT INTO gpu_health AS g (gpu_id, temperature_c, power_mw,
                   ecc_volatile_corrected, ecc_volatile_uncorrected, ecc_aggregate_corrected,
                   ecc_aggregate_uncorrected, throttle_reasons, xids_dropped)
               SELECT gpu_id, temperature_c, power_mw, vc, vu, ac, au,
                      string_to_array(throttle, ','), dropped
               FROM h ORDER BY gpu_id
               ON CONFLICT (gpu_id) DO UPDATE SET temperature_c = excluded.temperature_c,
                   power_mw = excluded.power_mw,
                   ecc_volatile_corrected = excluded.ecc_volatile_corrected,
                   ecc_volatile_uncorrected = excluded.ecc_volatile_uncorrected,
                   ecc_aggregate_corrected = excluded.ecc_aggregate_corrected,
                   ecc_aggregate_uncorrected = excluded.ecc_aggregate_uncorrected,
                   throttle_reasons = excluded.throttle_reasons,
                   xids_dropped = g.xids_dropped + excluded.xids_dropped,
                   reported_at = now()
               WHERE excluded.xids_dropped > 0
                   OR g.reported_at < now() - make_interval(secs => $10::float8)
                   OR (g.temperature_c, g.power_mw, g.ecc_volatile_corrected,
                       g.ecc_volatile_uncorrected, g.ecc_aggregate_corrected,
                       g.ecc_aggregate_uncorrected, g.throttle_reasons)
                      IS DISTINCT FROM
                      (excluded.temperature_c, excluded.power_mw,
                       excluded.ecc_volatile_corrected, excluded.ecc_volatile_uncorrected,
                       excluded.ecc_aggregate_corrected, excluded.ecc_aggregate_uncorrected,
                       excluded.throttle_reasons)
           ), x AS (
               SELECT * FROM unnest($11::uuid[], $12::int4[], $13::bool[], $14::int4[],
                       $15::int4[]) WITH ORDINALITY AS x(gpu_id, xid, fatal, gi, ci, n)
           ), hit AS (
               SELECT * FROM unnest($16::int8[], $17::uuid[]) AS hit(n, lease_id)
           ), history AS (
               INSERT INTO gpu_xids (gpu_id, xid, fatal, gpu_instance_id, compute_instance_id,
                   lease_ids)
               SELECT x.gpu_id, x.xid, x.fatal, x.gi, x.ci,
                      ARRAY(SELECT hit.lease_id FROM hit WHERE hit.n = x.n ORDER BY 1)
               FROM x ORDER BY x.n
           ), totals AS (
               INSERT INTO gpu_xid_totals AS t (gpu_id, xid, n)
               SELECT gpu_id, CASE WHEN fatal THEN xid::text ELSE 'other' END, count(*)
               FROM x GROUP BY 1, 2 ORDER BY 1, 2
               ON CONFLICT (gpu_id, xid) DO UPDATE SET n = t.n + excluded.n
           ), marked AS (
               UPDATE gpu_xid_marks m SET seq = v.seq
               FROM unnest($19::uuid[], $20::int8[]) AS v(gpu_id, seq)
               WHERE m.gpu_id = v.gpu_id AND v.seq > m.seq
           ), added AS (
               SELECT gpu_id, count(*) AS k FROM x GROUP BY gpu_id
           )
           -- Every part of one statement sees the table as it was before it: of the older
           -- rows keep the newest XID_HISTORY - (rows added now).
           DELETE FROM gpu_xids d USING added a
           WHERE d.gpu_id = a.gpu_id
               AND d.id <= (SELECT y.id FROM gpu_xids y WHERE y.gpu_id = a.gpu_id
                            ORDER BY y.id DESC OFFSET $18 - a.k LIMIT 1)"#,
        &readings.iter().map(|r| r.gpu_id.get()).collect::<Vec<_>>(),
        &readings.iter().map(|r| r.temperature_c).collect::<Vec<_>>() as &[Option<i32>],
        &readings.iter().map(|r| r.power_mw).collect::<Vec<_>>() as &[Option<i32>],
        &ecc(|e| e.volatile_corrected) as &[Option<i64>],
        &ecc(|e| e.volatile_uncorrected) as &[Option<i64>],
        &ecc(|e| e.aggregate_corrected) as &[Option<i64>],
        &ecc(|e| e.aggregate_uncorrected) as &[Option<i64>],
        &throttle as &[Option<String>],
        &readings.iter().map(|r| r.xids_dropped).collect::<Vec<_>>(),
        REFRESH_SECONDS,
        &xids.iter().map(|x| x.gpu_id.get()).collect::<Vec<_>>(),
        &xids.iter().map(|x| x.xid).collect::<Vec<_>>(),
        &xids.iter().map(|x| x.fatal).collect::<Vec<_>>(),
        &xids.iter().map(|x| x.gpu_instance_id).collect::<Vec<_>>() as &[Option<i32>],
        &xids
            .iter()
            .map(|x| x.compute_instance_id)
            .collect::<Vec<_>>() as &[Option<i32>],
        &hit_n,
        &hit_lease,
        XID_HISTORY,
        &marks.iter().map(|(g, _)| g.get()).collect::<Vec<_>>(),
        &marks.iter().map(|(_, s)| *s).collect::<Vec<_>>(),
    )
    .execute(&mut **tx)
    .await
    .map(|_| ())
}

/// Whose lease ids an XID shows.
#[derive(Clone, Copy, Debug)]
pub enum Shown {
    /// Every lease's (admins).
    All,
    /// Only this tenant's (none without one).
    Tenant(Option<TenantId>),
}

/// The health of these GPUs (those that reported it), each with its newest XIDs (at most
/// [`MAX_XIDS_SHOWN`]; with `lease`, only those that hit it), their lease ids as `shown`
/// allows. Two statements, each bounded by the GPUs asked for.
pub async fn of_gpus(
    db: &mut sqlx::PgConnection,
    gpus: &[GpuId],
    lease: Option<LeaseId>,
    shown: Shown,
) -> Result<Vec<(GpuId, GpuHealthRecord)>, sqlx::Error> {
    let ids: Vec<Uuid> = gpus.iter().map(|g| g.get()).collect();
    let rows = sqlx::query!(
        r#"SELECT gpu_id AS "gpu_id: GpuId", reported_at, temperature_c, power_mw,
               ecc_volatile_corrected, ecc_volatile_uncorrected, ecc_aggregate_corrected,
               ecc_aggregate_uncorrected, throttle_reasons, xids_dropped
           FROM gpu_health WHERE gpu_id = ANY($1) ORDER BY gpu_id"#,
        &ids
    )
    .fetch_all(&mut *db)
    .await?;
    let (all, tenant) = match shown {
        Shown::All => (true, None),
        Shown::Tenant(t) => (false, t.map(TenantId::get)),
    };
    let xids = sqlx::query!(
        r#"SELECT g.id AS "gpu_id!: GpuId", x.xid AS "xid!", x.fatal AS "fatal!",
               x.gpu_instance_id, x.compute_instance_id, x.seen_at AS "seen_at!",
               ARRAY(SELECT l.id FROM leases l
                     WHERE l.id = ANY(x.lease_ids) AND ($3 OR l.tenant_id = $4)
                     ORDER BY l.id) AS "lease_ids!: Vec<Uuid>"
           FROM unnest($1::uuid[]) AS g(id)
           CROSS JOIN LATERAL (
               SELECT * FROM gpu_xids x
               WHERE x.gpu_id = g.id AND ($2::uuid IS NULL OR $2 = ANY(x.lease_ids))
               ORDER BY x.id DESC LIMIT $5
           ) x"#,
        &ids,
        lease.map(LeaseId::get),
        all,
        tenant,
        MAX_XIDS_SHOWN as i64,
    )
    .fetch_all(&mut *db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let ecc = match (
                r.ecc_volatile_corrected,
                r.ecc_volatile_uncorrected,
                r.ecc_aggregate_corrected,
                r.ecc_aggregate_uncorrected,
            ) {
                (Some(vc), Some(vu), Some(ac), Some(au)) => Some(EccCounts {
                    volatile_corrected: vc as u64,
                    volatile_uncorrected: vu as u64,
                    aggregate_corrected: ac as u64,
                    aggregate_uncorrected: au as u64,
                }),
                _ => None,
            };
            let record = GpuHealthRecord {
                reported_at: r.reported_at,
                temperature_c: r.temperature_c.map(|t| t as u32),
                power_mw: r.power_mw.map(|p| p as u32),
                ecc,
                // Names the check constraint limits to the closed set.
                throttle_reasons: r
                    .throttle_reasons
                    .map(|t| t.iter().filter_map(|n| throttle_reason(n)).collect()),
                xids: xids
                    .iter()
                    .filter(|x| x.gpu_id == r.gpu_id)
                    .map(|x| XidRecord {
                        xid: x.xid as u64,
                        fatal: x.fatal,
                        gpu_instance_id: x.gpu_instance_id.map(|i| i as u32),
                        compute_instance_id: x.compute_instance_id.map(|i| i as u32),
                        lease_ids: x.lease_ids.iter().copied().map(LeaseId::from).collect(),
                        seen_at: x.seen_at,
                    })
                    .collect(),
                xids_dropped: r.xids_dropped as u64,
            };
            (r.gpu_id, record)
        })
        .collect())
}

fn throttle_reason(name: &str) -> Option<ThrottleReason> {
    ThrottleReason::BITS
        .iter()
        .map(|(r, _)| *r)
        .find(|r| r.as_str() == name)
}
