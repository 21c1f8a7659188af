from django.apps import AppConfig


class AwarenessConfig(AppConfig):
    name = "safehub.awareness"
    label = "awareness"
    verbose_name = "Prevention and awareness"
