//! End-to-end scenarios: real `slicebroker-server` and `slicebroker-agent` processes (simulated
//! GPUs, or the NVML backend against the stand-in NVML library) against a fresh PostgreSQL
//! database each. Checks go to the API, the database and what
//! the agents' GPUs hold, not just status codes.

mod agent;
mod bookings;
mod cli;
mod faulty_link;
mod health;
mod lifecycle;
mod nvml;
mod replicas;
mod rightsizing;
mod tls;
mod webhooks;
