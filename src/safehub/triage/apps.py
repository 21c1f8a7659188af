from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "safehub.triage"
    label = "triage"
    verbose_name = "Triage queue"
