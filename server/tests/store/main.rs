//! Store tests: each store module against a fresh database of its own (`#[sqlx::test]`, with
//! the server's embedded migrations). Every guarded lease transition is shown refusing each
//! state it may not start from, and every named constraint the use cases rely on is shown
//! turning into its domain error (`store::CONSTRAINTS`).

mod fixture;

mod agents;
mod api_keys;
mod audit;
mod chargeback;
mod classes;
mod constraints;
mod fleet;
mod health;
mod idempotency;
mod leases;
mod lifecycle;
mod metrics;
mod notify;
mod rightsizing;
mod signing_keys;
mod slices;
mod tenants;
mod usage;
mod webhooks;
mod windows;
