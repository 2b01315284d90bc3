""" Contains all the data models used in inputs/outputs """

from .agent_register import AgentRegister
from .agent_registration import AgentRegistration
from .api_key_create import ApiKeyCreate
from .api_key_created import ApiKeyCreated
from .api_key_summary import ApiKeySummary
from .audit_page import AuditPage
from .audit_record import AuditRecord
from .audit_target_kind import AuditTargetKind
from .calendar_interval import CalendarInterval
from .capacity import Capacity
from .capacity_calendar import CapacityCalendar
from .compute_instance import ComputeInstance
from .cost_rate import CostRate
from .cost_rates import CostRates
from .delivery_state import DeliveryState
from .desired_config import DesiredConfig
from .desired_gpu import DesiredGpu
from .desired_slice import DesiredSlice
from .ecc_counts import EccCounts
from .end_reason import EndReason
from .enrollment_create import EnrollmentCreate
from .enrollment_token import EnrollmentToken
from .free_capacity import FreeCapacity
from .gpu import Gpu
from .gpu_health import GpuHealth
from .gpu_health_record import GpuHealthRecord
from .gpu_info import GpuInfo
from .gpu_instance import GpuInstance
from .gpu_model_key import GpuModelKey
from .gpu_process import GpuProcess
from .gpu_slice import GpuSlice
from .health_status import HealthStatus
from .host import Host
from .issued_enrollment import IssuedEnrollment
from .issued_token import IssuedToken
from .jwk import Jwk
from .jwks import Jwks
from .known_problem_code import KnownProblemCode
from .lease import Lease
from .lease_create import LeaseCreate
from .lease_create_labels import LeaseCreateLabels
from .lease_event_activated import LeaseEventActivated
from .lease_event_activated_detail import LeaseEventActivatedDetail
from .lease_event_activated_kind import LeaseEventActivatedKind
from .lease_event_at_risk import LeaseEventAtRisk
from .lease_event_at_risk_detail import LeaseEventAtRiskDetail
from .lease_event_at_risk_kind import LeaseEventAtRiskKind
from .lease_event_booked import LeaseEventBooked
from .lease_event_booked_detail import LeaseEventBookedDetail
from .lease_event_booked_detail_placements_item import LeaseEventBookedDetailPlacementsItem
from .lease_event_booked_kind import LeaseEventBookedKind
from .lease_event_cancelled import LeaseEventCancelled
from .lease_event_cancelled_detail import LeaseEventCancelledDetail
from .lease_event_cancelled_kind import LeaseEventCancelledKind
from .lease_event_ended import LeaseEventEnded
from .lease_event_ended_detail import LeaseEventEndedDetail
from .lease_event_ended_kind import LeaseEventEndedKind
from .lease_event_expired import LeaseEventExpired
from .lease_event_expired_detail import LeaseEventExpiredDetail
from .lease_event_expired_kind import LeaseEventExpiredKind
from .lease_event_expiring import LeaseEventExpiring
from .lease_event_expiring_detail import LeaseEventExpiringDetail
from .lease_event_expiring_kind import LeaseEventExpiringKind
from .lease_event_extended import LeaseEventExtended
from .lease_event_extended_detail import LeaseEventExtendedDetail
from .lease_event_extended_kind import LeaseEventExtendedKind
from .lease_event_failed import LeaseEventFailed
from .lease_event_failed_detail import LeaseEventFailedDetail
from .lease_event_failed_kind import LeaseEventFailedKind
from .lease_event_granted import LeaseEventGranted
from .lease_event_granted_detail import LeaseEventGrantedDetail
from .lease_event_granted_detail_placements_item import LeaseEventGrantedDetailPlacementsItem
from .lease_event_granted_kind import LeaseEventGrantedKind
from .lease_event_host_lost import LeaseEventHostLost
from .lease_event_host_lost_detail import LeaseEventHostLostDetail
from .lease_event_host_lost_kind import LeaseEventHostLostKind
from .lease_event_idle_warning import LeaseEventIdleWarning
from .lease_event_idle_warning_detail import LeaseEventIdleWarningDetail
from .lease_event_idle_warning_kind import LeaseEventIdleWarningKind
from .lease_event_instance_error import LeaseEventInstanceError
from .lease_event_instance_error_detail import LeaseEventInstanceErrorDetail
from .lease_event_instance_error_kind import LeaseEventInstanceErrorKind
from .lease_event_kind import LeaseEventKind
from .lease_event_queued import LeaseEventQueued
from .lease_event_queued_detail import LeaseEventQueuedDetail
from .lease_event_queued_kind import LeaseEventQueuedKind
from .lease_event_rebooked import LeaseEventRebooked
from .lease_event_rebooked_detail import LeaseEventRebookedDetail
from .lease_event_rebooked_detail_placements_item import LeaseEventRebookedDetailPlacementsItem
from .lease_event_rebooked_kind import LeaseEventRebookedKind
from .lease_event_reclaimed_idle import LeaseEventReclaimedIdle
from .lease_event_reclaimed_idle_detail import LeaseEventReclaimedIdleDetail
from .lease_event_reclaimed_idle_kind import LeaseEventReclaimedIdleKind
from .lease_event_released import LeaseEventReleased
from .lease_event_released_detail import LeaseEventReleasedDetail
from .lease_event_released_kind import LeaseEventReleasedKind
from .lease_event_revoked import LeaseEventRevoked
from .lease_event_revoked_detail import LeaseEventRevokedDetail
from .lease_event_revoked_kind import LeaseEventRevokedKind
from .lease_event_starting import LeaseEventStarting
from .lease_event_starting_detail import LeaseEventStartingDetail
from .lease_event_starting_kind import LeaseEventStartingKind
from .lease_event_teardown_error import LeaseEventTeardownError
from .lease_event_teardown_error_detail import LeaseEventTeardownErrorDetail
from .lease_event_teardown_error_kind import LeaseEventTeardownErrorKind
from .lease_extend import LeaseExtend
from .lease_gpu_health import LeaseGpuHealth
from .lease_health import LeaseHealth
from .lease_labels import LeaseLabels
from .lease_page import LeasePage
from .lease_slice import LeaseSlice
from .lease_state import LeaseState
from .lease_usage import LeaseUsage
from .mig_mode import MigMode
from .nvml_profile_index import NvmlProfileIndex
from .observed_gpu_report import ObservedGpuReport
from .observed_report import ObservedReport
from .observed_slice import ObservedSlice
from .placement import Placement
from .problem import Problem
from .recommendation import Recommendation
from .report_ack import ReportAck
from .reported_error import ReportedError
from .reported_profile import ReportedProfile
from .rightsizing_row import RightsizingRow
from .role import Role
from .schedulable import Schedulable
from .slice_class import SliceClass
from .slice_class_patch import SliceClassPatch
from .slice_class_patch_profiles import SliceClassPatchProfiles
from .slice_class_profiles import SliceClassProfiles
from .slice_class_spec import SliceClassSpec
from .slice_class_spec_profiles import SliceClassSpecProfiles
from .slice_op import SliceOp
from .sso_settings import SsoSettings
from .tenant import Tenant
from .tenant_create import TenantCreate
from .tenant_policy import TenantPolicy
from .tenant_policy_patch import TenantPolicyPatch
from .tenant_role import TenantRole
from .tenant_update import TenantUpdate
from .throttle_reason import ThrottleReason
from .token_create import TokenCreate
from .usage_row import UsageRow
from .usage_show_format import UsageShowFormat
from .webhook import Webhook
from .webhook_attempt import WebhookAttempt
from .webhook_create import WebhookCreate
from .webhook_created import WebhookCreated
from .webhook_delivery import WebhookDelivery
from .webhook_format import WebhookFormat
from .webhook_kind import WebhookKind
from .webhook_patch import WebhookPatch
from .who_am_i import WhoAmI
from .xid_event import XidEvent
from .xid_record import XidRecord

__all__ = (
    "AgentRegister",
    "AgentRegistration",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeySummary",
    "AuditPage",
    "AuditRecord",
    "AuditTargetKind",
    "CalendarInterval",
    "Capacity",
    "CapacityCalendar",
    "ComputeInstance",
    "CostRate",
    "CostRates",
    "DeliveryState",
    "DesiredConfig",
    "DesiredGpu",
    "DesiredSlice",
    "EccCounts",
    "EndReason",
    "EnrollmentCreate",
    "EnrollmentToken",
    "FreeCapacity",
    "Gpu",
    "GpuHealth",
    "GpuHealthRecord",
    "GpuInfo",
    "GpuInstance",
    "GpuModelKey",
    "GpuProcess",
    "GpuSlice",
    "HealthStatus",
    "Host",
    "IssuedEnrollment",
    "IssuedToken",
    "Jwk",
    "Jwks",
    "KnownProblemCode",
    "Lease",
    "LeaseCreate",
    "LeaseCreateLabels",
    "LeaseEventActivated",
    "LeaseEventActivatedDetail",
    "LeaseEventActivatedKind",
    "LeaseEventAtRisk",
    "LeaseEventAtRiskDetail",
    "LeaseEventAtRiskKind",
    "LeaseEventBooked",
    "LeaseEventBookedDetail",
    "LeaseEventBookedDetailPlacementsItem",
    "LeaseEventBookedKind",
    "LeaseEventCancelled",
    "LeaseEventCancelledDetail",
    "LeaseEventCancelledKind",
    "LeaseEventEnded",
    "LeaseEventEndedDetail",
    "LeaseEventEndedKind",
    "LeaseEventExpired",
    "LeaseEventExpiredDetail",
    "LeaseEventExpiredKind",
    "LeaseEventExpiring",
    "LeaseEventExpiringDetail",
    "LeaseEventExpiringKind",
    "LeaseEventExtended",
    "LeaseEventExtendedDetail",
    "LeaseEventExtendedKind",
    "LeaseEventFailed",
    "LeaseEventFailedDetail",
    "LeaseEventFailedKind",
    "LeaseEventGranted",
    "LeaseEventGrantedDetail",
    "LeaseEventGrantedDetailPlacementsItem",
    "LeaseEventGrantedKind",
    "LeaseEventHostLost",
    "LeaseEventHostLostDetail",
    "LeaseEventHostLostKind",
    "LeaseEventIdleWarning",
    "LeaseEventIdleWarningDetail",
    "LeaseEventIdleWarningKind",
    "LeaseEventInstanceError",
    "LeaseEventInstanceErrorDetail",
    "LeaseEventInstanceErrorKind",
    "LeaseEventKind",
    "LeaseEventQueued",
    "LeaseEventQueuedDetail",
    "LeaseEventQueuedKind",
    "LeaseEventRebooked",
    "LeaseEventRebookedDetail",
    "LeaseEventRebookedDetailPlacementsItem",
    "LeaseEventRebookedKind",
    "LeaseEventReclaimedIdle",
    "LeaseEventReclaimedIdleDetail",
    "LeaseEventReclaimedIdleKind",
    "LeaseEventReleased",
    "LeaseEventReleasedDetail",
    "LeaseEventReleasedKind",
    "LeaseEventRevoked",
    "LeaseEventRevokedDetail",
    "LeaseEventRevokedKind",
    "LeaseEventStarting",
    "LeaseEventStartingDetail",
    "LeaseEventStartingKind",
    "LeaseEventTeardownError",
    "LeaseEventTeardownErrorDetail",
    "LeaseEventTeardownErrorKind",
    "LeaseExtend",
    "LeaseGpuHealth",
    "LeaseHealth",
    "LeaseLabels",
    "LeasePage",
    "LeaseSlice",
    "LeaseState",
    "LeaseUsage",
    "MigMode",
    "NvmlProfileIndex",
    "ObservedGpuReport",
    "ObservedReport",
    "ObservedSlice",
    "Placement",
    "Problem",
    "Recommendation",
    "ReportAck",
    "ReportedError",
    "ReportedProfile",
    "RightsizingRow",
    "Role",
    "Schedulable",
    "SliceClass",
    "SliceClassPatch",
    "SliceClassPatchProfiles",
    "SliceClassProfiles",
    "SliceClassSpec",
    "SliceClassSpecProfiles",
    "SliceOp",
    "SsoSettings",
    "Tenant",
    "TenantCreate",
    "TenantPolicy",
    "TenantPolicyPatch",
    "TenantRole",
    "TenantUpdate",
    "ThrottleReason",
    "TokenCreate",
    "UsageRow",
    "UsageShowFormat",
    "Webhook",
    "WebhookAttempt",
    "WebhookCreate",
    "WebhookCreated",
    "WebhookDelivery",
    "WebhookFormat",
    "WebhookKind",
    "WebhookPatch",
    "WhoAmI",
    "XidEvent",
    "XidRecord",
)
