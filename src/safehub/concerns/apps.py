from django.apps import AppConfig


class ConcernsConfig(AppConfig):
    name = "safehub.concerns"
    label = "concerns"
    verbose_name = "Locations, persons of concern and disruption"
