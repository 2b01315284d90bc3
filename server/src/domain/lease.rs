//! The lease state machine of DESIGN.md §3, shared with clients through the types crate. The
//! same table lives in SQL (`lease_transitions`, `migrations/0001_init.sql`); a store test
//! checks they agree.

pub use slicebroker_types::api::{EndReason, LeaseState, TRANSITIONS};
