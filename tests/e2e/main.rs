//! End-to-end scenarios: real `slicebroker-server` and `slicebroker-agent` processes (simulated
//! GPUs) against a fresh PostgreSQL database each. Checks go to the API, the database and what
//! the agents' GPUs hold, not just status codes.

mod agent;
mod cli;
mod lifecycle;
mod replicas;
mod tls;
