//! What a lease looks like to its owner: shape, placement, state, times and, once active, how
//! to use it. The wire types live in the types crate, shared with clients.

pub use slicebroker_types::api::{Lease, LeaseEvent, LeaseSlice};
