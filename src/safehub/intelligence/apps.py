from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "safehub.intelligence"
    label = "intelligence"
    verbose_name = "Locations, persons of concern and disruption"
