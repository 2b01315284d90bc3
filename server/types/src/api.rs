//! The public API's wire types: the request and response bodies of `/v1/…`, shared by the
//! server (which documents them in its OpenAPI with the `openapi` feature) and its clients
//! (`slicectl`), so both ends agree by construction.

mod access;
mod audit;
mod class;
mod fleet;
mod health;
mod lease;
mod lease_state;
mod problem;
mod rates;
mod rightsizing;
mod role;
mod tenant;
mod webhook;

pub use access::{
    ApiKeyCreate, ApiKeyCreated, ApiKeySummary, EnrollmentCreate, EnrollmentToken,
    IssuedEnrollment, IssuedToken, TokenCreate,
};
pub use audit::{AuditPage, AuditRecord, AuditTargetKind};
pub use class::{SliceClass, SliceClassPatch, SliceClassSpec};
pub use fleet::{CalendarInterval, Capacity, CapacityCalendar, Gpu, GpuSlice, Host, UsageRow};
pub use health::{GpuHealthRecord, LeaseGpuHealth, LeaseHealth, MAX_XIDS_SHOWN, XidRecord};
pub use lease::{
    DurationInput, Lease, LeaseCreate, LeaseEvent, LeaseExtend, LeasePage, LeaseSlice,
};
pub use lease_state::{EndReason, LeaseEventKind, LeaseState, TRANSITIONS};
#[cfg(feature = "openapi")]
pub use problem::ProblemCode;
pub use problem::{CODES, FreeCapacity, Problem};
pub use rates::{CostRate, CostRates};
pub use rightsizing::{LeaseUsage, Recommendation, RightsizingRow};
pub use role::Role;
pub use tenant::{Tenant, TenantCreate, TenantPolicy, TenantPolicyPatch, TenantUpdate};
pub use webhook::{
    DeliveryState, Webhook, WebhookAttempt, WebhookCreate, WebhookCreated, WebhookDelivery,
    WebhookFormat, WebhookKind, WebhookPatch,
};
