from django.apps import AppConfig


class EpisodesConfig(AppConfig):
    name = "safehub.episodes"
    label = "episodes"
    verbose_name = "Episodes"
