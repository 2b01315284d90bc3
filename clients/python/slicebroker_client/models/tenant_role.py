from enum import StrEnum

class TenantRole(StrEnum):
    MEMBER = "member"
    TENANT_ADMIN = "tenant-admin"
    VIEWER = "viewer"

    def __str__(self) -> str:
        return str(self.value)
