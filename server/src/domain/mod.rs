//! Pure rules of the broker: the lease state machine, request validation, API-key format.
//! Nothing here touches the network, the database or the clock.

pub mod admission;
pub mod agent_input;
pub mod api_key;
pub mod budget;
pub mod classes;
pub mod health;
pub mod rate_limit;
pub mod rates;
pub mod rightsizing;
pub mod sign_in;
pub mod tenant;
pub mod validate;
pub mod webhook;
