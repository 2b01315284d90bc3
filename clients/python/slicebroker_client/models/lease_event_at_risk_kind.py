from enum import StrEnum

class LeaseEventAtRiskKind(StrEnum):
    AT_RISK = "at_risk"

    def __str__(self) -> str:
        return str(self.value)
