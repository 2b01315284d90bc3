//! The commands, one module per group, and what they share: the session, the output format,
//! and looking things up by name.

mod access;
mod audit;
mod classes;
mod fleet;
mod lease;
mod login;
mod tenant;
mod usage;

use crate::cli::{Cli, Command, Global};
use crate::client::Session;
use crate::config::{self, Store};
use crate::error::{Error, Result};
use crate::output::{self, Format, Style};
use serde::Serialize;
use slicebroker_types::TenantId;
use slicebroker_types::api::Tenant;

/// What every command after `login` works with.
#[derive(Debug)]
pub struct Ctx {
    pub session: Session,
    pub format: Format,
    pub style: Style,
}

impl Ctx {
    fn new(g: &Global) -> Result<Self> {
        let store = Store::open(&config::dir()?)?;
        let profile = store.profile_name(g.profile.as_deref());
        Ok(Self {
            session: Session::for_profile(
                store,
                profile,
                g.server.as_deref(),
                g.ca_file.clone(),
                g.verbose,
            )?,
            format: g.output,
            style: Style::detect(),
        })
    }

    /// Prints `value` as JSON with `-o json`, else as `human` renders it.
    pub fn show<T: Serialize + ?Sized>(&self, value: &T, human: impl FnOnce(&T, &Style) -> String) {
        output::print(&match self.format {
            Format::Json => output::json(value),
            Format::Table => human(value, &self.style),
        });
    }

    /// A tenant's id from its id or name. A tenant's own keys name their tenant without the
    /// admin role: its name is read from `GET /v1/tenants/{own id}`. Only admins list every
    /// tenant (`GET /v1/tenants`) to find another's name.
    pub async fn tenant_id(&mut self, tenant: &str) -> Result<TenantId> {
        if let Ok(id) = tenant.parse() {
            return Ok(id);
        }
        let me = self.session.whoami().await?;
        match me.tenant {
            Some(own) => {
                let own: Tenant = self.session.get(&format!("/v1/tenants/{own}")).await?;
                own_tenant_named(&own, tenant)
            }
            None => {
                let all: Vec<Tenant> = self.session.get("/v1/tenants").await?;
                tenant_named(&all, tenant)
            }
        }
    }

    /// The tenant named, else the caller's own.
    pub async fn tenant_or_own(&mut self, tenant: Option<&str>) -> Result<TenantId> {
        match tenant {
            Some(t) => self.tenant_id(t).await,
            None => self
                .session
                .whoami()
                .await?
                .tenant
                .map(TenantId::from)
                .ok_or_else(|| {
                    Error::usage("admin keys belong to no tenant: name one with --tenant")
                }),
        }
    }
}

pub async fn run(cli: Cli) -> Result<()> {
    let g = cli.global;
    let mut ctx = match cli.command {
        Command::Completions { shell } => {
            let mut text = Vec::new();
            clap_complete::generate(
                shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "slicectl",
                &mut text,
            );
            output::print(&String::from_utf8_lossy(&text));
            return Ok(());
        }
        Command::Login => return login::run(&g).await,
        _ => Ctx::new(&g)?,
    };
    match cli.command {
        Command::Completions { .. } | Command::Login => unreachable!("handled above"),
        Command::Lease(c) => lease::run(&mut ctx, c).await,
        Command::Capacity(a) => fleet::capacity(&mut ctx, a).await,
        Command::Calendar(a) => fleet::calendar(&mut ctx, a).await,
        Command::Usage(a) => usage::usage(&mut ctx, a).await,
        Command::Rightsizing(a) => usage::rightsizing(&mut ctx, a).await,
        Command::Classes => classes::list(&mut ctx).await,
        Command::Fleet(a) => fleet::fleet(&mut ctx, a).await,
        Command::Hosts => fleet::hosts(&mut ctx).await,
        Command::Gpus => fleet::gpus(&mut ctx).await,
        Command::Cordon(a) => fleet::cordon(&mut ctx, a, false).await,
        Command::Uncordon(a) => fleet::cordon(&mut ctx, a, true).await,
        Command::RemoveHost { host } => fleet::remove_host(&mut ctx, &host).await,
        Command::Tenant(c) => tenant::run(&mut ctx, c).await,
        Command::Key(c) => access::key(&mut ctx, c).await,
        Command::Enroll(a) => access::enroll(&mut ctx, a).await,
        Command::Audit(a) => audit::list(&mut ctx, a).await,
    }
}

/// The caller's own tenant if it is the one named: a tenant's key sees no other.
fn own_tenant_named(own: &Tenant, name: &str) -> Result<TenantId> {
    if own.name == name {
        Ok(own.id)
    } else {
        Err(Error::failed(format!(
            "`{name}` is not your tenant: your key belongs to tenant `{}`, and only admins may \
             name other tenants",
            own.name
        )))
    }
}

/// The tenant of that name, among every tenant (an admin's view).
fn tenant_named(all: &[Tenant], name: &str) -> Result<TenantId> {
    all.iter()
        .find(|t| t.name == name)
        .map(|t| t.id)
        .ok_or_else(|| Error::failed(format!("no tenant is named `{name}`")))
}

/// `s` percent-encoded for a query string.
pub fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use slicebroker_types::api::TenantPolicy;

    fn tenant(name: &str) -> Tenant {
        let now = chrono::Utc::now();
        Tenant {
            id: TenantId::new(),
            name: name.into(),
            display_name: name.into(),
            policy: TenantPolicy::default(),
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_tenant_key_names_its_own_tenant_and_no_other() {
        let own = tenant("vision");
        assert_eq!(own_tenant_named(&own, "vision").unwrap(), own.id);
        let other = own_tenant_named(&own, "audio").unwrap_err();
        let text = other.to_string();
        assert!(
            text.contains("`audio` is not your tenant")
                && text.contains("tenant `vision`")
                && text.contains("only admins"),
            "{text}"
        );
        assert_eq!(other.exit(), crate::error::Exit::Error);
    }

    #[test]
    fn an_admin_finds_any_tenant_by_name() {
        let all = [tenant("vision"), tenant("audio")];
        assert_eq!(tenant_named(&all, "audio").unwrap(), all[1].id);
        let missing = tenant_named(&all, "text").unwrap_err();
        assert!(missing.to_string().contains("no tenant is named `text`"));
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(super::query_value("team=a b&c"), "team%3Da%20b%26c");
        assert_eq!(
            super::query_value("2026-05-01T00:00:00+00:00"),
            "2026-05-01T00%3A00%3A00%2B00%3A00"
        );
    }
}
