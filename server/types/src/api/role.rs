//! Who may do what: the four roles of DESIGN.md §6.

use serde::{Deserialize, Serialize};
use std::fmt;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(
    feature = "sqlx",
    derive(sqlx::Type),
    sqlx(type_name = "api_role", rename_all = "kebab-case")
)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Fleet administrator: every tenant, the fleet, quotas.
    Admin,
    /// Manages one tenant's keys and leases.
    TenantAdmin,
    /// Creates and manages leases in one tenant.
    Member,
    /// Reads one tenant's leases and usage.
    Viewer,
}

impl Role {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::TenantAdmin => "tenant-admin",
            Self::Member => "member",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Admin, Self::TenantAdmin, Self::Member, Self::Viewer]
            .into_iter()
            .find(|r| r.as_str() == s)
    }

    pub const fn can_write_leases(self) -> bool {
        !matches!(self, Self::Viewer)
    }

    pub const fn can_manage_keys(self) -> bool {
        matches!(self, Self::Admin | Self::TenantAdmin)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
