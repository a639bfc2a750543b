"""WSGI entry point: `gunicorn dblood.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dblood.settings.production")

application = get_wsgi_application()
