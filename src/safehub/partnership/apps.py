from django.apps import AppConfig


class PartnershipConfig(AppConfig):
    name = "safehub.partnership"
    label = "partnership"
    verbose_name = "Partnership: support services and pathway referrals"
