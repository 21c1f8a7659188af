from django.apps import AppConfig


class CasefileConfig(AppConfig):
    name = "safehub.casefile"
    label = "casefile"
    verbose_name = "Case file"
