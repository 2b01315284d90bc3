from enum import StrEnum

class WebhookFormat(StrEnum):
    JSON = "json"
    SLACK = "slack"

    def __str__(self) -> str:
        return str(self.value)
