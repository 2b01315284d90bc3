//! The API test binary: each test starts the server in-process on port 0 against a fresh
//! database and talks to it over HTTP through the typed helpers in `harness`.

mod agents;
mod audit;
mod auth;
mod bookings;
mod chargeback;
mod classes;
mod errors;
mod extremes;
mod group_commit;
mod harness;
mod health;
mod idempotency;
mod invariants;
mod lease_errors;
mod leases;
mod lifecycle;
mod metrics;
mod openapi;
mod policy;
mod replicas;
mod sign_in;
mod tls;
mod web;
mod webhooks;
