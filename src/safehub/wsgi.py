"""The WSGI application that gunicorn serves (`safehub serve`)."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from safehub import config

os.environ.setdefault("DJANGO_SETTINGS_MODULE", config.get("DJANGO_SETTINGS_MODULE"))
application = get_wsgi_application()
# Import every view now, while the worker starts, rather than in its first request: Django
# loads the URLconf lazily, and ours imports the report renderer, the charts and the rest,
# which made each new worker's first request take seconds.
get_resolver().url_patterns  # noqa: B018
