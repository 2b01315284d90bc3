from enum import StrEnum

class KnownProblemCode(StrEnum):
    ALREADY_REVOKED = "already_revoked"
    BOOKED_AFTER = "booked_after"
    BUDGET_EXCEEDED = "budget_exceeded"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    HOST_IN_USE = "host_in_use"
    IDEMPOTENCY_KEY_IN_PROGRESS = "idempotency_key_in_progress"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    ILLEGAL_TRANSITION = "illegal_transition"
    INTERNAL = "internal"
    INVALID_INPUT = "invalid_input"
    MALFORMED_BODY = "malformed_body"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_FOUND = "not_found"
    NO_CAPACITY = "no_capacity"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    POLICY_VIOLATION = "policy_violation"
    QUOTA_EXCEEDED = "quota_exceeded"
    RATE_LIMITED = "rate_limited"
    UNAUTHENTICATED = "unauthenticated"
    UNAVAILABLE = "unavailable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"

    def __str__(self) -> str:
        return str(self.value)
