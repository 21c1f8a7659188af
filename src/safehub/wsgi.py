"""The WSGI application that gunicorn serves (`safehub serve`)."""

import os

from django.core.wsgi import get_wsgi_application

from safehub import config

os.environ.setdefault("DJANGO_SETTINGS_MODULE", config.get("DJANGO_SETTINGS_MODULE"))
application = get_wsgi_application()
