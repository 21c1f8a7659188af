from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "safehub.geo"
    label = "geo"
    verbose_name = "Geography"
