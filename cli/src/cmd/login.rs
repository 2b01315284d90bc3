//! `slicectl login`: exchanges an API key (from a prompt or stdin, never the command line) for
//! a token and keeps both in the profile, so later commands can get new tokens unasked.

use crate::cli::Global;
use crate::client::{Session, claims, server_url};
use crate::config::{self, Profile, Store};
use crate::error::{Error, Result};
use crate::output::{self, Format};
use crate::prompt;
use chrono::Utc;
use serde::Serialize;
use slicebroker_types::api::{Role, Tenant};
use uuid::Uuid;

/// What `login -o json` prints.
#[derive(Debug, Serialize)]
struct LoggedIn {
    profile: String,
    server: String,
    role: Option<Role>,
    tenant_id: Option<Uuid>,
    token_expires_at: chrono::DateTime<Utc>,
    config: String,
}

pub async fn run(g: &Global) -> Result<()> {
    let mut store = Store::open(&config::dir()?)?;
    let name = store.profile_name(g.profile.as_deref());
    let server = g
        .server
        .clone()
        .or_else(|| store.config.profiles.get(&name).map(|p| p.server.clone()))
        .ok_or_else(|| Error::usage("which server? `slicectl login --server http://HOST:8080`"))?;
    let server = server_url(&server)?;
    // The CA given now, else the one the profile kept for this same server.
    let ca_file = g.ca_file.clone().or_else(|| {
        store
            .config
            .profiles
            .get(&name)
            .filter(|p| server_url(&p.server).ok().as_deref() == Some(server.as_str()))
            .and_then(|p| p.ca_file.clone())
    });
    let session = Session::anonymous(&server, ca_file.clone(), g.verbose)?;
    let api_key = prompt::secret(&format!("API key for {server}: "))?;
    let issued = session.exchange(&api_key).await?;
    let expires = Utc::now() + chrono::Duration::seconds(issued.expires_in);
    let who = claims(&issued.access_token);
    store.config.profiles.insert(
        name.clone(),
        Profile {
            server: server.clone(),
            api_key: Some(api_key),
            token: Some(issued.access_token.clone()),
            token_expires_at: Some(expires),
            ca_file,
        },
    );
    if store.config.current_profile.is_none() {
        store.config.current_profile = Some(name.clone());
    }
    store.save()?;

    let done = LoggedIn {
        profile: name,
        server,
        role: who.as_ref().map(|c| c.role),
        tenant_id: who.as_ref().and_then(|c| c.tenant),
        token_expires_at: expires,
        config: store.path().display().to_string(),
    };
    if g.output == Format::Json {
        output::print(&output::json(&done));
        return Ok(());
    }
    // The tenant's name reads better than its id; members may read their own tenant.
    let tenant = match done.tenant_id {
        Some(id) => {
            let mut s = Session::for_profile(store, done.profile.clone(), None, None, g.verbose)?;
            let name = s
                .get::<Tenant>(&format!("/v1/tenants/{id}"))
                .await
                .map_or(id.to_string(), |t| t.name);
            format!(" of tenant {name}")
        }
        None => String::new(),
    };
    let role = done.role.map_or("unknown role".into(), |r| r.to_string());
    output::print(&format!(
        "Logged in to {} as {role}{tenant} (profile `{}`, saved in {}).\n",
        done.server, done.profile, done.config
    ));
    Ok(())
}
