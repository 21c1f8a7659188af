from django.apps import AppConfig


class FlagsConfig(AppConfig):
    name = "safehub.flags"
    label = "flags"
    verbose_name = "Warning flags"
