//! Who may do what: the four roles of DESIGN.md §6, shared with clients through the types crate.

pub use slicebroker_types::api::Role;
