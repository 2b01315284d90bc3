//! Typed ids (omicron's `uuid-kinds` idea): one newtype per kind of thing, so that a lease id
//! cannot be passed where a tenant id is expected. On the wire each is a plain UUID string;
//! with the `sqlx` feature each is a transparent `uuid` column type, and with `openapi` a
//! `string` of format `uuid`.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            /// The bare UUID, for a database bind or a URL.
            pub const fn get(self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, Type};
                use utoipa::openapi::{KnownFormat, SchemaFormat};
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}
    )+};
}

ids! {
    /// A lease.
    LeaseId;
    /// A tenant (team).
    TenantId;
    /// A GPU host.
    HostId;
    /// A physical GPU.
    GpuId;
    /// An API key.
    ApiKeyId;
    /// A slice: one MIG GPU instance the broker wants or has.
    SliceId;
    /// A webhook: a receiver of lease events.
    WebhookId;
    /// One delivery of one event to one webhook (`X-Slicebroker-Delivery`).
    DeliveryId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_uuids_on_the_wire() {
        let id = LeaseId::new();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{}\"", id.get()));
        assert_eq!(serde_json::from_str::<LeaseId>(&json).unwrap(), id);
        assert_eq!(id.to_string().parse::<LeaseId>().unwrap(), id);
    }
}
