from enum import StrEnum

class LeaseEventRevokedKind(StrEnum):
    REVOKED = "revoked"

    def __str__(self) -> str:
        return str(self.value)
