from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "safehub.duplicates"
    label = "duplicates"
    verbose_name = "Duplicate records of one child"
