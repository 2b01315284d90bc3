//! Lease durations as clients write them; the parser lives in the types crate so the CLI reads
//! them the same way.

pub use slicebroker_types::duration::{format_seconds, parse_seconds};
