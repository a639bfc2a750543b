"""`make run`: SQLite, local-memory cache, console email, a fixed throwaway key."""

from .base import *  # noqa: F403
from .env import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "development-only-insecure-key"  # noqa: F405
# Fixed throwaway NIK keys unless the environment gives real ones (production requires them).
NIK_ENCRYPTION_KEYS = NIK_ENCRYPTION_KEYS or ["ZGV2ZWxvcG1lbnQtb25seS1uaWsta2V5LTMyLWJ5dGU="]  # noqa: F405
NIK_HASH_KEY = NIK_HASH_KEY or "development-only-nik-hash-key"  # noqa: F405
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]  # noqa: F405
# Static files straight from the apps while developing (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
