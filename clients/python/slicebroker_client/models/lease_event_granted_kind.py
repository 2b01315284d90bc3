from enum import StrEnum

class LeaseEventGrantedKind(StrEnum):
    GRANTED = "granted"

    def __str__(self) -> str:
        return str(self.value)
