from django.apps import AppConfig


class ScrutinyConfig(AppConfig):
    name = "safehub.scrutiny"
    label = "scrutiny"
    verbose_name = "Scrutiny actions"
