//! slicebroker-agent: the per-host reconciler that makes a GPU host's MIG layout match what the
//! server wants, and reports what it sees. See `agent/README.md`.

pub mod agent;
pub mod backend;
pub mod checkpoint;
pub mod client;
pub mod config;
pub mod desired;
pub mod enroll;
pub mod fsutil;
pub mod host;
pub mod kernel_log;
pub mod model;
pub mod probe;
pub mod reconcile;
pub mod run;
pub mod sim_cli;
pub mod xid_ledger;
pub mod xids;
