from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "safehub.triage"
    label = "triage"
    verbose_name = "Triage queue"

    def ready(self) -> None:
        from safehub.triage import store  # noqa: PLC0415 - models are ready only now

        store.connect()
