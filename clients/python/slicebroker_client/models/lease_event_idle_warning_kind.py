from enum import StrEnum

class LeaseEventIdleWarningKind(StrEnum):
    IDLE_WARNING = "idle_warning"

    def __str__(self) -> str:
        return str(self.value)
