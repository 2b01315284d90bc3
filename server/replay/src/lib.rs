//! Trace replay: a workload trace against a simulated fleet, every placement policy on the same
//! input, and the synthetic trace generator that feeds it.

pub mod fleet_spec;
pub mod generate;
pub mod report;
pub mod rng;
pub mod sim;
pub mod trace;
