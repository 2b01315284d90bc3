from enum import StrEnum

class LeaseEventInstanceErrorKind(StrEnum):
    INSTANCE_ERROR = "instance_error"

    def __str__(self) -> str:
        return str(self.value)
