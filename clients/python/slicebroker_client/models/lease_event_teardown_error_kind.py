from enum import StrEnum

class LeaseEventTeardownErrorKind(StrEnum):
    TEARDOWN_ERROR = "teardown_error"

    def __str__(self) -> str:
        return str(self.value)
