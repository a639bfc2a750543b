"""`make run`: SQLite, local-memory cache, console email, a fixed throwaway key."""

from .base import *  # noqa: F403
from .env import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "development-only-insecure-key"  # noqa: F405
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]  # noqa: F405
# Static files straight from the apps while developing (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
