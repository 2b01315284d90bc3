//! slicebroker-server: the central server teams, portals and admins talk to. Layers point one
//! way: `http` → `app` → (`domain`, `store`).

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod http;
pub mod store;
pub mod telemetry;

pub use app::App;
pub use config::Config;
