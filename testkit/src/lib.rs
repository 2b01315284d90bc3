//! The test kit shared by the API tests (`server/tests/api`) and the end-to-end suite
//! (`tests/e2e`): a fresh database per test, the server on port 0 (in this process, or as real
//! processes with agents beside it), an HTTP client on `slicebroker-client` that shows every
//! answer as it came, `wait_until` (a poll with a deadline that says what it last saw), and a
//! certificate authority made at run time for https.

pub mod cluster;
pub mod db;
pub mod http;
pub mod nvml;
pub mod pg;
pub mod server;
pub mod tls;
pub mod wait;

pub use cluster::{AgentSpec, Cluster, ClusterOptions, bin};
pub use db::{database_url, fresh_database};
pub use http::{Http, Resp};
pub use pg::PrivatePg;
pub use server::InProcess;
pub use tls::TestCa;
pub use wait::wait_until;
