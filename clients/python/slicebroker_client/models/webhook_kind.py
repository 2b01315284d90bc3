from enum import StrEnum

class WebhookKind(StrEnum):
    ACTIVATED = "activated"
    AT_RISK = "at_risk"
    BOOKED = "booked"
    ENDED = "ended"
    EXPIRED = "expired"
    EXPIRING = "expiring"
    EXTENDED = "extended"
    FAILED = "failed"
    GRANTED = "granted"
    IDLE_WARNING = "idle_warning"
    INSTANCE_ERROR = "instance_error"
    QUEUED = "queued"
    QUEUED_GRANTED = "queued_granted"
    REBOOKED = "rebooked"
    RECLAIMED_IDLE = "reclaimed_idle"
    RELEASED = "released"
    REVOKED = "revoked"
    STARTING = "starting"
    TEARDOWN_ERROR = "teardown_error"

    def __str__(self) -> str:
        return str(self.value)
