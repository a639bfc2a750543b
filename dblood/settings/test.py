"""Test settings: fast hashing, in-memory email. The database is PostgreSQL (see conftest.py)."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key"
# Fixed throwaway NIK keys (two: the second only decrypts, as during a rotation).
NIK_ENCRYPTION_KEYS = ["dGVzdC1vbmx5LW5pay1rZXktb25lLTMyLWJ5dGVzISE=", "dGVzdC1vbmx5LW5pay1rZXktdHdvLTMyLWJ5dGVzISE="]
NIK_HASH_KEY = "test-only-nik-hash-key"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": "dblood"}}
# One process: the local cache is shared by every request, so cached answers are on, as with memcached.
ANSWER_CACHE_SECONDS = 60
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# whitenoise serves from the app directories in tests; no collectstatic needed.
STATIC_ROOT = BASE_DIR / ".test-static"  # noqa: F405
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
