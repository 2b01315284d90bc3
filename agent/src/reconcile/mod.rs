//! Reconciliation: decide ([`plan`]) and do ([`apply`]) what makes the GPUs match the desired
//! config. `plan` is pure and property-tested against the simulator.

mod apply;
mod fit;
mod plan;

pub use apply::{ActionOutcome, Applier, KillPolicy, error_chain};
pub use plan::{
    Action, Conflict, ObservedGpu, ObservedInstance, Owner, Plan, UnmanagedInstance, classify, plan,
};

#[cfg(test)]
mod tests;
