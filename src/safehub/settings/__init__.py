"""Settings profiles: `base` holds what every profile shares; pick one by DJANGO_SETTINGS_MODULE."""
