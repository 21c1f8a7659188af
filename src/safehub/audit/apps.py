from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safehub.audit"
    label = "audit"
    verbose_name = "Audit trail"
