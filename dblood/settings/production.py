"""Production: refuses to start without its secrets; HTTPS assumed behind nginx."""

import sys

from .base import *  # noqa: F403
from .env import env


def _require(name: str, value: object) -> None:
    if not value:
        # One line naming what is missing, instead of a traceback.
        sys.stderr.write(f"dblood: {name} is not set; set {name} or {name}_FILE in the environment.\n")
        raise SystemExit(78)  # EX_CONFIG


_require("SECRET_KEY", SECRET_KEY)  # noqa: F405
_require("ALLOWED_HOSTS", ALLOWED_HOSTS)  # noqa: F405
_require("NIK_ENCRYPTION_KEYS", NIK_ENCRYPTION_KEYS)  # noqa: F405
_require("NIK_HASH_KEY", NIK_HASH_KEY)  # noqa: F405

DEBUG = env.bool("DEBUG", default=False)
PRODUCTION = True

# nginx terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health checks come over plain HTTP from inside the stack.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is an opt-in decision for the operator (SECURE_HSTS_PRELOAD).
    "security.W021",
    # Compose and Kubernetes: the api also answers the web's plain calls inside the stack
    # (http://api:8000), so the redirect to HTTPS is nginx's (DBLOOD_TLS=on) or the Ingress's.
    *([] if SECURE_SSL_REDIRECT else ["security.W008"]),
]
