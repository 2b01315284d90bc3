from enum import StrEnum

class SliceOp(StrEnum):
    CREATE = "create"
    DESTROY = "destroy"

    def __str__(self) -> str:
        return str(self.value)
