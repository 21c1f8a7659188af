from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "safehub.interchange"
    label = "interchange"
    verbose_name = "History import and export"
