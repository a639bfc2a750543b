"""dblood_web's settings as production reads them, with test values in the environment."""

import os
import tempfile
from pathlib import Path

os.environ.update(
    DEBUG="0",
    SECRET_KEY="web-test-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
    SECURE_SSL_REDIRECT="0",
    SESSION_COOKIE_SECURE="0",
    DBLOOD_API_URL="http://api.test",
    WHITENOISE_USE_FINDERS="1",
)

from dblood_web.settings import *  # noqa: E402, F403

STORAGES = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# whitenoise serves straight from the app's static folder; nothing is collected in tests.
STATIC_ROOT = Path(tempfile.gettempdir()) / "dblood-web-test-static"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)
