//! API keys (`slicectl key …`, admins and tenant admins) and agent enrollment tokens
//! (`slicectl enroll`, admins).

use super::Ctx;
use crate::cli::{EnrollArgs, KeyCommand, KeyRole};
use crate::error::Result;
use crate::output::{self, Cell, Color, Style, Table};
use chrono::Utc;
use slicebroker_types::api::{
    ApiKeyCreate, ApiKeyCreated, ApiKeySummary, DurationInput, EnrollmentCreate, EnrollmentToken,
    IssuedEnrollment, Role,
};

pub async fn key(ctx: &mut Ctx, command: KeyCommand) -> Result<()> {
    match command {
        KeyCommand::Create { name, role, tenant } => {
            let tenant = ctx.tenant_or_own(tenant.as_deref()).await?;
            let body = ApiKeyCreate {
                name,
                role: match role {
                    KeyRole::TenantAdmin => Role::TenantAdmin,
                    KeyRole::Member => Role::Member,
                    KeyRole::Viewer => Role::Viewer,
                },
            };
            let created: ApiKeyCreated = ctx
                .session
                .post(&format!("/v1/tenants/{tenant}/api-keys"), &body)
                .await?;
            ctx.show(&created, |c, _| {
                format!(
                    "Created {} key `{}` ({}).\nIts secret, shown this once (log in with it: \
                     `slicectl login`):\n\n  {}\n",
                    c.key.role, c.key.name, c.key.id, c.secret
                )
            });
        }
        KeyCommand::Ls { tenant } => {
            let keys = keys_of(ctx, tenant.as_deref()).await?;
            let keys: Vec<ApiKeySummary> = ctx.session.get(&keys).await?;
            ctx.show(keys.as_slice(), keys_table);
        }
        KeyCommand::Revoke { id, tenant } => {
            let keys = keys_of(ctx, tenant.as_deref()).await?;
            let key: ApiKeySummary = ctx
                .session
                .post_bare(&format!("{keys}/{id}/revoke"))
                .await?;
            ctx.show(&key, |k, _| {
                format!(
                    "Revoked key `{}` ({}): it gets no new tokens, and the tokens it has are \
                     refused from now on (by other server replicas within seconds)\n",
                    k.name, k.id
                )
            });
        }
    }
    Ok(())
}

/// Where the keys `key ls`/`key revoke` mean are: the tenant named, else the caller's own
/// tenant's, else (an admin key, which belongs to no tenant) the admin keys.
async fn keys_of(ctx: &mut Ctx, tenant: Option<&str>) -> Result<String> {
    if tenant.is_none() && ctx.session.whoami().await?.tenant.is_none() {
        return Ok("/v1/admin-keys".into());
    }
    let tenant = ctx.tenant_or_own(tenant).await?;
    Ok(format!("/v1/tenants/{tenant}/api-keys"))
}

fn keys_table(keys: &[ApiKeySummary], style: &Style) -> String {
    let now = Utc::now();
    let mut t = Table::new(&["id", "name", "role", "prefix", "created", "state"]);
    for k in keys {
        t.row(vec![
            k.id.to_string().into(),
            k.name.clone().into(),
            k.role.as_str().into(),
            k.prefix.clone().into(),
            output::relative(k.created_at, now).into(),
            match k.revoked_at {
                Some(at) => Cell::colored(
                    format!("revoked {}", output::relative(at, now)),
                    Some(Color::Dim),
                ),
                None => Cell::colored("active", Some(Color::Green)),
            },
        ]);
    }
    t.render(style)
}

pub async fn enroll(ctx: &mut Ctx, a: EnrollArgs) -> Result<()> {
    if a.list {
        let tokens: Vec<EnrollmentToken> = ctx.session.get("/v1/enrollment-tokens").await?;
        ctx.show(tokens.as_slice(), tokens_table);
        return Ok(());
    }
    let body = EnrollmentCreate {
        note: a.note,
        ttl: a.ttl.map(DurationInput::Seconds),
    };
    let issued: IssuedEnrollment = ctx.session.post("/v1/enrollment-tokens", &body).await?;
    let server = ctx.session.base().to_owned();
    ctx.show(&issued, |e, _| {
        format!(
            "Enrollment token (single use, expires {}):\n\n  {}\n\nOn the new host:\n\n  \
             SLICEBROKER_AGENT_ENROLLMENT_TOKEN={} slicebroker-agent run --server {server}\n",
            output::when(Some(e.expires_at), Utc::now()),
            e.token,
            e.token
        )
    });
    Ok(())
}

fn tokens_table(tokens: &[EnrollmentToken], style: &Style) -> String {
    let now = Utc::now();
    let mut t = Table::new(&["id", "prefix", "note", "expires", "used"]);
    for k in tokens {
        t.row(vec![
            k.id.to_string().into(),
            k.prefix.clone().into(),
            k.note.clone().into(),
            output::relative(k.expires_at, now).into(),
            k.used_at
                .map_or("-".into(), |at| output::relative(at, now))
                .into(),
        ]);
    }
    t.render(style)
}
