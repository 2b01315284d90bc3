//! Agents: enrollment tokens (admin), agent authentication, registration and the desired-config
//! long-poll. Observed reports are in [`super::observe`].

use super::auth::Principal;
use super::leases::DurationSeconds;
use super::{App, Error};
use crate::domain::api_key::{self, AGENT_PREFIX, ENROLLMENT_PREFIX};
use crate::store::{self, audit};
use chrono::Utc;
use slicebroker_types::agent::{
    AgentRegister, AgentRegistration, DesiredConfig, DesiredGpu, DesiredSlice, GpuInfo,
    catalog_differences,
};
use slicebroker_types::api::AuditTargetKind;
use slicebroker_types::api::EnrollmentToken;
use slicebroker_types::{ApiKeyId, GpuId, GpuModel, HostId, limits};
use std::collections::BTreeMap;
use std::time::Duration;
use uuid::Uuid;

const DEFAULT_ENROLLMENT_TTL: i64 = 24 * 3600;
const MAX_ENROLLMENT_TTL: i64 = 30 * 24 * 3600;
/// The longest a desired-config poll is held.
pub const MAX_POLL_WAIT: Duration = Duration::from_secs(60);

pub use slicebroker_types::api::{EnrollmentCreate, IssuedEnrollment};

pub async fn enrollment_create(
    app: &App,
    who: &Principal,
    req: EnrollmentCreate,
) -> Result<IssuedEnrollment, Error> {
    who.require_admin()?;
    issue_enrollment(app, who.key_id, &who.actor(), req).await
}

/// An enrollment token from the server's own command line (`admin enroll`), for deployments
/// that enroll their first hosts before anyone holds an admin key.
pub async fn enrollment_create_local(
    app: &App,
    req: EnrollmentCreate,
) -> Result<IssuedEnrollment, Error> {
    issue_enrollment(app, None, "cli", req).await
}

async fn issue_enrollment(
    app: &App,
    created_by: Option<ApiKeyId>,
    actor: &str,
    req: EnrollmentCreate,
) -> Result<IssuedEnrollment, Error> {
    limits::text(&req.note).map_err(|r| Error::invalid("note", r))?;
    let ttl = match &req.ttl {
        Some(t) => t.seconds_of("ttl")?,
        None => DEFAULT_ENROLLMENT_TTL,
    };
    if ttl > MAX_ENROLLMENT_TTL {
        return Err(Error::invalid("ttl", "at most 30 days"));
    }
    let key = api_key::generate_with(ENROLLMENT_PREFIX);
    let mut tx = app.db().begin().await?;
    let token = store::agents::insert_enrollment_token(
        &mut *tx,
        Uuid::now_v7(),
        &key.hash,
        &key.prefix,
        &req.note,
        created_by,
        limits::add_seconds(Utc::now(), ttl)
            .ok_or_else(|| Error::invalid("ttl", "at most 30 days"))?,
    )
    .await?;
    audit::record(
        &mut *tx,
        audit::Entry {
            actor_key_id: created_by,
            actor,
            action: "enrollment_token.create",
            target_kind: AuditTargetKind::EnrollmentToken,
            target_id: token.id.to_string(),
            before: None,
            after: Some(serde_json::to_value(&token).expect("serializable")),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(IssuedEnrollment {
        id: token.id,
        token: key.secret,
        note: token.note,
        expires_at: token.expires_at,
    })
}

pub async fn enrollment_list(app: &App, who: &Principal) -> Result<Vec<EnrollmentToken>, Error> {
    who.require_admin()?;
    Ok(store::agents::enrollment_tokens(app.db()).await?)
}

/// The host an agent credential speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentPrincipal {
    pub host_id: HostId,
    pub host_name: String,
}

pub async fn authenticate(app: &App, credential: &str) -> Result<AgentPrincipal, Error> {
    const BAD: Error = Error::Unauthenticated("agent endpoints need a valid agent credential");
    if !api_key::looks_like(AGENT_PREFIX, credential) {
        return Err(BAD);
    }
    let host = store::agents::host_by_credential(app.db(), &api_key::hash(credential))
        .await?
        .ok_or(BAD)?;
    Ok(AgentPrincipal {
        host_id: host.id,
        host_name: host.name,
    })
}

/// Registers a host: with an enrollment token (a new or re-enrolling host, which gets a new
/// credential) or as an agent that already holds one (`caller`). Harmless to repeat.
pub async fn register(
    app: &App,
    caller: Option<AgentPrincipal>,
    req: AgentRegister,
) -> Result<AgentRegistration, Error> {
    validate_register(&req)?;
    let gpus: Vec<GpuRow> = req.gpus.iter().map(GpuRow::from_info).collect();
    let mut tx = app.db().begin().await?;
    let (token_id, credential) = match (&caller, &req.enrollment_token) {
        (Some(host), _) if host.host_name != req.hostname => {
            return Err(Error::Forbidden(format!(
                "this credential belongs to host `{}`, not `{}`",
                host.host_name, req.hostname
            )));
        }
        (Some(_), _) => (None, None),
        (None, Some(token)) => {
            if !api_key::looks_like(ENROLLMENT_PREFIX, token) {
                return Err(Error::Unauthenticated("the enrollment token is malformed"));
            }
            let token_id = store::agents::lock_enrollment_token(&mut tx, &api_key::hash(token))
                .await?
                .ok_or(Error::Unauthenticated(
                    "the enrollment token is unknown, used or expired",
                ))?;
            (Some(token_id), Some(api_key::generate_with(AGENT_PREFIX)))
        }
        (None, None) => {
            return Err(Error::Unauthenticated(
                "register with an `enrollment_token` or an agent credential",
            ));
        }
    };
    let alive = app.config().host_unreachable_after();
    if credential.is_some()
        && let Some(silence) = store::agents::live_agent_silence(&mut tx, &req.hostname).await?
        && silence < alive
    {
        // Another machine with the same name, or a re-imaged host whose old agent still runs:
        // taking the name over would cut that agent off and hand this one its leases.
        return Err(Error::Conflict {
            code: "conflict",
            detail: format!(
                "a host named `{}` is enrolled and its agent was heard from {}s ago: give this \
                 machine another name (--hostname), or stop that agent (the name can be taken \
                 over once it has been silent for {}s, or after `slicectl remove-host`)",
                req.hostname,
                silence.as_secs(),
                alive.as_secs()
            ),
        });
    }
    let facts = store::agents::HostFacts {
        name: &req.hostname,
        agent_version: &req.agent_version,
        driver_version: req.driver_version.as_deref(),
    };
    let (host_id, generation) = store::agents::upsert_host(
        &mut tx,
        &facts,
        credential.as_ref().map(|c| c.hash.as_slice()),
    )
    .await?;
    if let Some(token_id) = token_id {
        store::agents::use_enrollment_token(&mut tx, token_id, host_id).await?;
    }
    store::agents::park_device_indices(&mut tx, host_id).await?;
    for g in &gpus {
        let facts = g.facts();
        if let Some(other) =
            store::agents::gpu_owned_elsewhere(&mut tx, host_id, facts.uuid, alive).await?
        {
            // Two hosts reporting one GPU (cloned state, a simulator's shared seed), or a GPU
            // moved while its old host still holds it: moving it would take its leases along.
            return Err(Error::Conflict {
                code: "conflict",
                detail: format!(
                    "GPU {} is registered to host `{}`{}: a GPU moves to another host only once \
                     its old host no longer reports it and nothing is placed on it",
                    facts.uuid,
                    other.host,
                    if other.live_slices > 0 {
                        format!(", which holds {} slice(s) on it", other.live_slices)
                    } else {
                        ", whose agent still reports it".to_owned()
                    }
                ),
            });
        }
        if let Err(e) = store::agents::upsert_gpu(&mut tx, host_id, &facts).await {
            return Err(match store::violation(&e) {
                Some(store::Violation::GpuIndexTaken) => Error::invalid(
                    "gpus",
                    format!("two GPUs have index {}", facts.device_index),
                ),
                _ => e.into(),
            });
        }
    }
    tx.commit().await?;
    for g in &gpus {
        if !g.differences.is_empty() {
            tracing::warn!(
                host = %req.hostname, gpu = %g.info.uuid, model = %g.model,
                differences = %g.differences_json(),
                "the GPU's profile table differs from the catalog; the GPU's table wins{}",
                if g.geometry_matches { "" } else { " and the GPU is not placed on" }
            );
        }
    }
    app.refresh_fleet().await?;
    tracing::info!(host = %req.hostname, %host_id, gpus = gpus.len(), enrolled = credential.is_some(), "agent registered");
    Ok(AgentRegistration {
        host_id: host_id.to_string(),
        host_name: req.hostname,
        credential: credential.map(|c| c.secret),
        desired_generation: generation as u64,
    })
}

fn validate_register(req: &AgentRegister) -> Result<(), Error> {
    Ok(crate::domain::agent_input::register(req)?)
}

/// A registered GPU, identified against the catalog.
#[derive(Debug)]
struct GpuRow<'a> {
    info: &'a GpuInfo,
    model: String,
    differences: Vec<slicebroker_types::agent::CatalogDifference>,
    geometry_matches: bool,
}

impl<'a> GpuRow<'a> {
    fn from_info(info: &'a GpuInfo) -> Self {
        let model = info
            .model
            .as_deref()
            .and_then(GpuModel::find)
            .or_else(|| GpuModel::identify(Some(info.pci_device_id), &info.name));
        let differences = match model {
            Some(m) if !info.profiles.is_empty() => {
                catalog_differences(GpuModel::get(m), &info.profiles)
            }
            _ => Vec::new(),
        };
        Self {
            info,
            model: match model {
                Some(m) => GpuModel::get(m).key.to_owned(),
                None => format!("unknown:{}", info.name),
            },
            geometry_matches: !differences.iter().any(|d| d.is_geometric()),
            differences,
        }
    }

    fn differences_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.differences).expect("serializable")
    }

    fn facts(&self) -> store::agents::GpuFacts<'_> {
        store::agents::GpuFacts {
            uuid: &self.info.uuid,
            device_index: self.info.index as i32,
            model: &self.model,
            name: &self.info.name,
            memory_mib: self.info.memory_total_mib as i64,
            mig_enabled: self.info.mig_enabled(),
            mig_pending: self.info.mig_mode.map(|m| m.pending),
            profile_table: serde_json::to_value(&self.info.profiles).expect("serializable"),
            catalog_differences: self.differences_json(),
            geometry_matches_catalog: self.geometry_matches,
        }
    }
}

/// The host's desired config once its generation is past `after`, or after `wait`, whichever
/// comes first. Woken through LISTEN/NOTIFY, so a change made by any replica answers at once.
/// The answer is the host's heartbeat, so a poll waits at most half of `host_unreachable_after`:
/// an agent waiting on it is never taken for a silent one.
pub async fn desired(
    app: &App,
    host: &AgentPrincipal,
    after: u64,
    wait: Duration,
) -> Result<DesiredConfig, Error> {
    let mut wake = app.wakeups().subscribe(host.host_id);
    let generation = store::agents::desired_generation(app.db(), host.host_id).await?;
    if generation as u64 <= after {
        let most = MAX_POLL_WAIT.min(app.config().host_unreachable_after() / 2);
        let deadline = tokio::time::Instant::now() + wait.min(most);
        loop {
            tokio::select! {
                changed = wake.changed() => {
                    if changed.is_err() { break; }
                    let now = store::agents::desired_generation(app.db(), host.host_id).await?;
                    if now as u64 > after { break; }
                }
                () = tokio::time::sleep_until(deadline) => break,
            }
        }
    }
    heard_from(app, host).await?;
    desired_config(app, host.host_id).await
}

/// The host's agent was heard from (a poll or a report): its heartbeat. A host that was marked
/// unreachable is schedulable again.
pub async fn heard_from(app: &App, host: &AgentPrincipal) -> Result<(), Error> {
    if touch(app, host).await? {
        tracing::info!(host = %host.host_name, "host reachable again");
        app.refresh_fleet().await?;
    }
    Ok(())
}

/// Writes the host's heartbeat unless a recent one stands (a quarter of the silence that makes a
/// host unreachable); true if the host had been unreachable.
pub async fn touch(app: &App, host: &AgentPrincipal) -> Result<bool, Error> {
    let fresh_for = app.config().host_unreachable_after() / 4;
    Ok(store::agents::touch_host(app.db(), host.host_id, fresh_for).await?)
}

/// What the host should have now.
pub async fn desired_config(app: &App, host_id: HostId) -> Result<DesiredConfig, Error> {
    let (generation, gpus, rows) = store::agents::desired(app.db(), host_id).await?;
    let mut by_gpu: BTreeMap<GpuId, Vec<DesiredSlice>> = BTreeMap::new();
    for r in rows {
        let Some(gpu) = gpus.iter().find(|g| g.id == r.gpu_id) else {
            continue;
        };
        let profile = GpuModel::find(&gpu.model)
            .map(GpuModel::get)
            .and_then(|m| m.profile_by_name(&r.profile).map(|p| m.profile(p)))
            .ok_or_else(|| {
                Error::internal(format!(
                    "slice of lease {} has profile {} unknown on {}",
                    r.lease_id, r.profile, gpu.model
                ))
            })?;
        by_gpu.entry(r.gpu_id).or_default().push(DesiredSlice {
            lease_id: r.lease_id,
            profile: profile.nvml_index,
            profile_name: profile.name.to_owned(),
            placement: slicebroker_types::Placement {
                start: r.start as u8,
                size: r.size as u8,
            },
        });
    }
    Ok(DesiredConfig {
        generation: generation as u64,
        gpus: gpus
            .into_iter()
            .map(|g| DesiredGpu {
                slices: by_gpu.remove(&g.id).unwrap_or_default(),
                gpu_uuid: g.uuid,
            })
            .collect(),
    })
}
