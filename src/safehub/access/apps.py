from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "safehub.access"
    label = "access"
    verbose_name = "Users and agencies"

    def ready(self) -> None:
        from safehub.access import signals  # noqa: F401, PLC0415 - connects the auth audit
