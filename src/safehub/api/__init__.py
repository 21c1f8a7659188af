"""The JSON API at /api/v1/: django-ninja over the same services and scoped queries as the pages."""
