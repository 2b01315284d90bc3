//! `slicebroker-client`: the one Rust client of slicebroker's API, used by `slicectl`, the
//! agent, the load generator and the test suites. It speaks `http://` and `https://`, connects
//! and answers within timeouts, retries what the server cannot do twice (reads, and creates that
//! carry an `Idempotency-Key`), and turns problem+json answers into [`ClientError::Problem`]
//! with the API's own [`Problem`](slicebroker_types::api::Problem).
//!
//! Built on hyper 1 + hyper-util's pooled client + hyper-rustls, not reqwest: the workspace
//! already compiles hyper for the server, so the client adds only rustls (on `ring`: no cmake
//! or C++ toolchain, unlike `aws-lc-rs`), `hyper-rustls` and `rustls-native-certs`; reqwest
//! would bring its own stack (url, tower layers, its feature web) to do the same over the same
//! hyper. What trust means is in [`tls`](crate::tls); what is retried, in [`retry`].
//!
//! ```no_run
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! use slicebroker_client::Client;
//! use slicebroker_types::api::Lease;
//! let client = Client::builder("https://broker:8443").ca_file(Some("ca.pem".into())).build()?;
//! let lease: Lease = client.get("/v1/leases/0190…").bearer("eyJ…").call().await?;
//! # Ok(()) }
//! ```

pub mod agent;
mod client;
mod error;
mod request;
mod response;
pub mod retry;
mod tls;
mod url;

pub use client::{Client, ClientBuilder, Event};
pub use error::{BuildError, ClientError, parse_problem};
pub use hyper::body::Bytes;
pub use hyper::{HeaderMap, Method, StatusCode};
pub use request::RequestBuilder;
pub use response::Response;
pub use retry::RetryPolicy;
pub use url::{BadUrl, BaseUrl, Scheme};
