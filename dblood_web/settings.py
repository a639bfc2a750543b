"""Settings for the people-facing web (`dblood_web`). Everything configurable comes from the environment.

The web has no database: sessions are signed cookies holding the user's api token, and every piece
of data comes from the api over HTTP (`dblood_web.api`). `DEBUG` is off unless set; with it off
the web refuses to start without `SECRET_KEY` and `ALLOWED_HOSTS` (as the api does).
`manage_web.py` (development only) turns `DEBUG` on by default; `gunicorn dblood_web.wsgi` does not.
"""

import sys
from pathlib import Path

import environ

# FileAwareEnv also reads NAME_FILE (a Docker secret's path) for every NAME.
env = environ.FileAwareEnv()


def env_list(name: str) -> list[str]:
    return [item.strip() for item in env.list(name, default=[]) if item.strip()]


BASE_DIR = Path(__file__).resolve().parent

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if DEBUG:
    SECRET_KEY = SECRET_KEY or "web-development-only-insecure-key"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    for _name, _value in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)):
        if not _value:
            # One line naming what is missing, instead of a traceback.
            sys.stderr.write(f"dblood_web: {_name} is not set; set {_name} or {_name}_FILE in the environment.\n")
            raise SystemExit(78)  # EX_CONFIG

# The api, reached over HTTP only (the web never imports `dblood`).
DBLOOD_API_URL = env.str("DBLOOD_API_URL", default="http://127.0.0.1:8080").rstrip("/")
DBLOOD_API_TIMEOUT = env.float("DBLOOD_API_TIMEOUT", default=5.0)
# Where a browser reaches the api's consoles (admin, docs): empty means this host, as behind the
# shipped nginx, which serves /admin/ and /api/ from the api; `make run` has no nginx (:8080).
DBLOOD_API_PUBLIC_URL = env.str("DBLOOD_API_PUBLIC_URL", default="").rstrip("/")
# The browser's address goes to the api in X-Forwarded-For (its login throttles count browsers,
# not the web): the hops written by the NUM_PROXIES proxies in front of the web (nginx: 1), then the
# address the web saw. WEB_PROXY_KEY, the same value as the api's, tells the api to trust that one
# extra hop; without it the api counts the web as the client.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
WEB_PROXY_KEY = env.str("WEB_PROXY_KEY", default="")
# Those hops count only when the peer is one of these networks (nginx); a browser reaching the web
# directly from elsewhere is its own address. The api has the same setting for the web and nginx.
TRUSTED_PROXY_NETWORKS = env.list(
    "TRUSTED_PROXY_NETWORKS",
    default=["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
)

INSTALLED_APPS = [
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "dblood_web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "dblood_web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dblood_web.middleware.ApiMiddleware",
]

ROOT_URLCONF = "dblood_web.urls"
WSGI_APPLICATION = "dblood_web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csrf",
                "django.contrib.messages.context_processors.messages",
                "dblood_web.context_processors.web",
            ],
        },
    },
]

# No database: nothing here is stored server-side.
DATABASES: dict = {}
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_NAME = "dblood_web_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A session lasts at most as long as the api token inside it (API_TOKEN_TTL_HOURS on the api).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"
CSRF_COOKIE_NAME = "dblood_web_csrftoken"
LANGUAGE_COOKIE_NAME = "dblood_language"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Jakarta")
USE_I18N = True
USE_TZ = True

STATIC_URL = env.str("STATIC_URL", default="/static/")
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR.parent / "staticfiles-web"))
# Hashed names from the manifest that `collectstatic` writes (the image runs it, with whatever
# DEBUG says then); with DEBUG on, plain names are served straight from the app folders.
STORAGES = {"staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
WHITENOISE_AUTOREFRESH = DEBUG
# Uploads (site photos) are the api's; nginx serves them at /media/ on this origin. Only `make run`
# (DEBUG, no nginx) serves them from here, read from the api's media folder.
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR.parent / "media"))
# A photo (nginx lets 10 MB through) is passed on to the api from memory, not a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Security headers. The Content Security Policy is set by dblood_web.middleware: only this site's
# own scripts, styles and images; no inline script, no framing.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # nginx terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
    LANGUAGE_COOKIE_HTTPONLY = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is an opt-in decision for the operator (SECURE_HSTS_PRELOAD).
    "security.W021",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
CSRF_FAILURE_VIEW = "dblood_web.views.public.csrf_failure"
