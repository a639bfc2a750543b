"""WSGI entry point for the web: `gunicorn dblood_web.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dblood_web.settings")

application = get_wsgi_application()
