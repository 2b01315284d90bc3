//! A stand-in `libnvidia-ml.so.1`: the NVML C entry points the agent and nvml-wrapper call, with
//! the ABI, struct layouts and version constants of `nvml.h` (API v13), over a model of MIG that
//! follows NVML's documentation and reads its profiles from the reference JSON. The GPUs, MIG
//! mode, instances, processes and injected faults live in a state file (see [`state`]), so
//! tests drive the agent's real NVML code path, and act on its "hardware", without a GPU.
//!
//! As an rlib it gives tests [`state::State`] to write and change that file.

// Exporting a C ABI means taking and writing through raw pointers; every such access is in
// `ffi` (in its pointer helpers, each with a SAFETY note), the rest of the crate denies
// `unsafe` again below.
#![allow(unsafe_code)]

#[deny(unsafe_code)]
pub mod boards;
#[deny(unsafe_code)]
pub mod driver;
mod ffi;
#[deny(unsafe_code)]
pub mod kmsg;
#[deny(unsafe_code)]
pub mod ret;
#[deny(unsafe_code)]
pub mod state;

pub use ffi::types;
