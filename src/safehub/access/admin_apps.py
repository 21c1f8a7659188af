from django.contrib.admin.apps import AdminConfig


class SafehubAdminConfig(AdminConfig):
    """Django admin, with our policy-checked site (imported lazily, after the models)."""

    default_site = "safehub.access.admin_site.SafehubAdminSite"
