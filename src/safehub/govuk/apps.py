from django.apps import AppConfig


class GovukConfig(AppConfig):
    name = "safehub.govuk"
    label = "govuk"
    verbose_name = "GOV.UK components"
