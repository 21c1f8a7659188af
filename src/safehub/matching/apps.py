from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "safehub.matching"
    label = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        from safehub.matching import signals  # noqa: F401, PLC0415 - keeps the keys current
