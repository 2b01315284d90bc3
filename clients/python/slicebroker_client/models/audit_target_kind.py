from enum import StrEnum

class AuditTargetKind(StrEnum):
    API_KEY = "api_key"
    CLASS = "class"
    ENROLLMENT_TOKEN = "enrollment_token"
    GPU = "gpu"
    HOST = "host"
    RATES = "rates"
    TENANT = "tenant"
    WEBHOOK = "webhook"
    WEBHOOK_DELIVERY = "webhook_delivery"

    def __str__(self) -> str:
        return str(self.value)
