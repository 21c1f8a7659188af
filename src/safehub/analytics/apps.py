from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "safehub.analytics"
    label = "analytics"
    verbose_name = "Analytics: snapshots and metrics"
