"""Settings shared by every environment. Everything configurable comes from the environment."""

from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import env, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
# Production settings say so (e.g. `manage.py demo` refuses to run there unless forced).
PRODUCTION = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "dblood.core",
    "dblood.accounts",
    "dblood.sites",
    "dblood.donors",
    "dblood.drives",
    "dblood.donations",
    "dblood.inventory",
    "dblood.requests",
    "dblood.notifications",
    # Audit log of donor-record and blood-unit changes, with who made each change.
    "dblood.audit",
    "dblood.recalls",
    "dblood.returns",
    # Coded donor complications and transfusion reactions.
    "dblood.haemovigilance",
    # The reports a blood service files (wastage, collections, issues...), as JSON, CSV and XLSX.
    "dblood.reports",
    # The contact relay: call-out responders and staff write without seeing each other's contact details.
    "dblood.relay",
    # OAuth2 client credentials for hospital systems (the FHIR endpoint's clients).
    "oauth2_provider",
    # HL7 FHIR R4 for hospital information systems: orders in, units out (/fhir/r4/).
    "dblood.fhir",
    # Storage locations, temperatures and excursions, unit moves, end-of-day counts.
    "dblood.coldchain",
]

MIDDLEWARE = [
    # Outermost: every statement of the request, authentication included, has its deadline.
    "dblood.core.deadline.QueryDeadlineMiddleware",
    "dblood.core.middleware.ApiSecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Bodies over the limit get a 413 in the error shape before anything reads them.
    "dblood.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who made a change, for the audit log (needs the authenticated user).
    "dblood.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dblood.core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "dblood.urls"
WSGI_APPLICATION = "dblood.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database = env.db("DATABASE_URL", default="sqlite:///db.sqlite3")
if _database["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer must fail fast (readyz within seconds), not hang a
    # worker for the kernel's TCP timeout.
    _database["OPTIONS"] = {
        **_database.get("OPTIONS", {}),
        "connect_timeout": env.int("DATABASE_CONNECT_TIMEOUT", default=3),
        # A peer that vanished (host down, network cut) is noticed within about 15 s on an idle
        # pooled connection, and unacknowledged writes give up after 10 s.
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": 10_000,
    }
DATABASES = {
    "default": {
        **_database,
        "CONN_MAX_AGE": env.int("DATABASE_CONN_MAX_AGE", default=60),
        # Off by default: a health check is a `SELECT 1` round trip at the start of every request.
        # Without it, a connection broken by a PostgreSQL restart fails its worker's next request
        # with a 503 (retry) and is replaced after it; on, that request is spared and every request
        # pays the round trip.
        "CONN_HEALTH_CHECKS": env.bool("DATABASE_CONN_HEALTH_CHECKS", default=False),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

MEMCACHED_LOCATION = env_list("MEMCACHED_LOCATION")
if MEMCACHED_LOCATION:
    CACHES = {
        "default": {
            "BACKEND": "dblood.core.cache.PersistentPyMemcacheCache",
            "LOCATION": MEMCACHED_LOCATION,
            "KEY_PREFIX": "dblood",
            "TIMEOUT": 300,
            "OPTIONS": {
                # memcached down means a slower api, never a failing one: errors become misses.
                "ignore_exc": True,
                "connect_timeout": 0.2,
                "timeout": 0.2,
                "no_delay": True,
                # The connection is kept between requests (PersistentPyMemcacheCache): after failed
                # retries memcached is skipped for dead_timeout seconds, then tried again.
                "dead_timeout": 5,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": "dblood"}}

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Password-reset links stop working after this many seconds (and after one use).
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 3)
# Seconds a sign-up confirmation link stays valid (it also works only once); an account never
# confirmed stays inactive, and signing up again sends a fresh link.
SIGNUP_CONFIRM_TIMEOUT = env.int("SIGNUP_CONFIRM_TIMEOUT", default=60 * 60 * 24 * 3)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Jakarta")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "dblood" / "locale"]

STATIC_URL = env.str("STATIC_URL", default="/static/")
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# EMAIL_URL, e.g. smtp+tls://user:password@mail.example.org:587 (console in development).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
# EMAIL_URL=filemail:////abs/dir writes each message to a file in /abs/dir (three slashes: relative);
# the web's browser tests read the password-reset link from them.
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH") or None
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="dblood <noreply@dblood.local>")
# Links in emails (password reset, appointments) point at the people-facing web.
WEB_BASE_URL = env.str("WEB_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# PMI honours donors at these counts of completed donations (the 100th: Satyalancana Kebaktian
# Sosial); each one reached brings a message and a certificate (dblood/donations/milestones.py).
DONATION_MILESTONES = tuple(sorted(env.list("DONATION_MILESTONES", cast=int, default=[10, 25, 50, 75, 100])))
# How long a request's replacement-donation code credits donations after it is issued or renewed.
REPLACEMENT_CODE_VALID_DAYS = env.int("REPLACEMENT_CODE_VALID_DAYS", default=14)

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

REST_FRAMEWORK = {
    # JSON nested deep enough to exhaust the stack is a 400, not a 500.
    "DEFAULT_PARSER_CLASSES": [
        "dblood.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Proxies in front of the api that append to X-Forwarded-For (nginx: 1). Throttles identify the
    # client by the address the last trusted proxy saw; with DRF's default (None) a client could set
    # X-Forwarded-For itself and get a fresh login-throttle bucket per request.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dblood.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny unless a view says otherwise: every endpoint states its own permission.
    "DEFAULT_PERMISSION_CLASSES": ["dblood.core.permissions.DenyAll"],
    "DEFAULT_PAGINATION_CLASS": "dblood.core.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "dblood.core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "dblood.core.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("LOGIN_THROTTLE_RATE", default="10/min"),
        "login_ip": env.str("LOGIN_IP_THROTTLE_RATE", default="60/min"),
        "password_reset": env.str("PASSWORD_RESET_THROTTLE_RATE", default="5/hour"),
        # The public checks of a certificate token or a replacement code, per client address.
        "public_check": env.str("PUBLIC_CHECK_THROTTLE_RATE", default="30/min"),
        # Cold-chain devices posting readings, per client address (a site's devices may share one).
        "device_reading": env.str("DEVICE_READING_THROTTLE_RATE", default="120/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# django-oauth-toolkit, for the FHIR endpoint's hospital clients (client credentials only).
OAUTH2_PROVIDER = {
    # Short-lived: a hospital system asks again (client credentials need no user), a leaked token soon dies.
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("FHIR_TOKEN_SECONDS", default=300),
    "SCOPES": {
        "system/ServiceRequest.read": "Read your hospital's blood orders",
        "system/ServiceRequest.write": "Place and revoke your hospital's blood orders",
        "system/BiologicallyDerivedProduct.read": "Read the units allocated and issued to your hospital",
        "system/SupplyDelivery.read": "Read the deliveries of units to your hospital",
        "system/Observation.write": "Report what became of the units issued to your hospital",
        "system/AdverseEvent.write": "Report transfusion reactions to the units issued to your hospital",
    },
    "DEFAULT_SCOPES": [
        "system/ServiceRequest.read",
        "system/ServiceRequest.write",
        "system/BiologicallyDerivedProduct.read",
        "system/SupplyDelivery.read",
        "system/Observation.write",
        "system/AdverseEvent.write",
    ],
    # Tokens are kept as SHA-256 checksums only, as the api's own tokens are.
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # The OAuth 2.0 Security BCP (RFC 9700) throughout: only client credentials are used here, so no
    # implicit or password grant, no plain PKCE, no token in a query string, https redirects only.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_SCHEME": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}

SPECTACULAR_SETTINGS = {
    "TITLE": "dblood API",
    "DESCRIPTION": "Blood donation platform: donors, drives, donations, inventory and hospital requests.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # One schema name per choice set that several serializers share (without these, drf-spectacular
    # invents names for colliding enums and warns, which `check --deploy` treats as a failure).
    "ENUM_NAME_OVERRIDES": {
        "AboEnum": "dblood.core.blood.ABO",
        "RhdEnum": "dblood.core.blood.RhD",
        "DonationTypeEnum": "dblood.core.blood.DonationType",
        "AppointmentStatusEnum": "dblood.drives.models.Appointment.Status",
        "UnitStateEnum": "dblood.inventory.models.BloodUnit.State",
        "TransferStatusEnum": "dblood.inventory.models.Transfer.Status",
        "DonationStatusEnum": "dblood.donations.models.Donation.Status",
        "DonationOutcomeEnum": "dblood.donations.models.Donation.Outcome",
        "BloodRequestStatusEnum": "dblood.requests.models.BloodRequest.Status",
        "AllocationStatusEnum": "dblood.requests.models.Allocation.Status",
        "TransfusionOutcomeEnum": "dblood.requests.models.Allocation.Outcome",
        "CallOutStatusEnum": "dblood.requests.models.CallOut.Status",
        "ComplicationCategoryEnum": "dblood.haemovigilance.codes.ComplicationCategory",
        "ComplicationSeverityEnum": "dblood.haemovigilance.codes.ComplicationSeverity",
        "ComplicationOutcomeEnum": "dblood.haemovigilance.codes.ComplicationOutcome",
        "ComplicationStatusEnum": "dblood.haemovigilance.models.DonorComplication.Status",
        "ReactionCategoryEnum": "dblood.haemovigilance.codes.ReactionCategory",
        "ReactionSeverityEnum": "dblood.haemovigilance.codes.ReactionSeverity",
        "ReactionStatusEnum": "dblood.haemovigilance.models.TransfusionReaction.Status",
        "ImputabilityEnum": "dblood.haemovigilance.codes.Imputability",
        "SiteKindEnum": "dblood.sites.models.Site.Kind",
        "NotificationKindEnum": "dblood.notifications.models.Notification.Kind",
        "StorageLocationKindEnum": "dblood.coldchain.models.StorageLocation.Kind",
        "ExcursionKindEnum": "dblood.coldchain.models.Excursion.Kind",
        "ExcursionDecisionEnum": "dblood.coldchain.models.ExcursionUnit.Decision",
        "ReconciliationItemKindEnum": "dblood.coldchain.models.ReconciliationItem.Kind",
        "ReadingSourceEnum": "dblood.coldchain.models.TemperatureReading.Source",
    },
}

# API tokens: stored as SHA-256 hashes, valid this long after creation.
API_TOKEN_TTL = timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24 * 14))
# Seconds a token -> user lookup is served from the cache (0: always from the database). Logout,
# password changes and role or membership changes take effect at once regardless (token_cache).
AUTH_TOKEN_CACHE_SECONDS = env.int("AUTH_TOKEN_CACHE_SECONDS", default=60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Donors, eligibility, drives and appointments ---
# Code of the EligibilityProfile in force (seeded: pmi, us, who; editable in the admin).
ELIGIBILITY_PROFILE = env.str("ELIGIBILITY_PROFILE", default="pmi")
# A donor may cancel or reschedule an appointment until this many hours before the slot starts.
APPOINTMENT_CHANGE_CUTOFF_HOURS = env.int("APPOINTMENT_CHANGE_CUTOFF_HOURS", default=2)

# --- Donations, lab screening and inventory -------------------------------------------------
# ISBT 128 facility identification number. Production needs an ICCBBA-registered FIN; the default
# is a placeholder for tests and demos only.
DIN_FACILITY_NUMBER = env.str("DIN_FACILITY_NUMBER", default="T9999")
# ISBT 128 type-of-donation character in every new unit's product code: "V", volunteer allogeneic
# (PMI donors are unpaid volunteers). One character from ICCBBA's table.
ISBT_DONATION_TYPE_CODE = env.str("ISBT_DONATION_TYPE_CODE", default="V")
if len(ISBT_DONATION_TYPE_CODE) != 1 or not ISBT_DONATION_TYPE_CODE.isalnum():
    raise ImproperlyConfigured("ISBT_DONATION_TYPE_CODE must be one letter or digit (ICCBBA's type of donation).")
# Screen for malaria too (endemic regions); HIV, HBV, HCV and syphilis are always screened.
SCREENING_MALARIA = env.bool("SCREENING_MALARIA", default=False)
# Shelf lives, processing windows and compatibility kinds are the ComponentType table (the admin).
# Seconds each process keeps its copy of that table (a save drops it at once in the saving process).
COMPONENT_TYPES_CACHE_SECONDS = env.float("COMPONENT_TYPES_CACHE_SECONDS", default=30.0)
# Stock levels: days of supply = available units / average daily issues over the window.
STOCK_DEMAND_WINDOW_DAYS = env.int("STOCK_DEMAND_WINDOW_DAYS", default=30)
STOCK_CRITICAL_DAYS = env.float("STOCK_CRITICAL_DAYS", default=2.0)
STOCK_LOW_DAYS = env.float("STOCK_LOW_DAYS", default=5.0)
# How long a rendered stock table stays in the cache (any unit state change replaces it at once).
STOCK_CACHE_SECONDS = env.int("STOCK_CACHE_SECONDS", default=300)
# Seconds each api process serves a stock body it made or fetched without asking memcached again;
# other processes see a stock change within this time (the one that made it, at once). 0: always ask.
STOCK_LOCAL_SECONDS = env.float("STOCK_LOCAL_SECONDS", default=1.0)

# --- Hospital requests, call-outs and notifications -------------------------------------------
# Emergency call-outs: default radius around the collection site, donors asked per batch, and the
# pause before the worker asks the next batch while too few have said they are coming.
CALLOUT_DEFAULT_RADIUS_KM = env.int("CALLOUT_DEFAULT_RADIUS_KM", default=25)
CALLOUT_BATCH_SIZE = env.int("CALLOUT_BATCH_SIZE", default=50)
CALLOUT_BATCH_INTERVAL_MINUTES = env.int("CALLOUT_BATCH_INTERVAL_MINUTES", default=10)
# Shortage recruitment: invite donors living this close to the short blood bank.
RECRUITMENT_RADIUS_KM = env.int("RECRUITMENT_RADIUS_KM", default=30)

# --- SMS and WhatsApp (dblood.notifications.channels) -------------------------------------------
# A channel is on only when its URL, token and sender are all set; without them it is simply off
# (donors are told which channels exist), so no deployment needs them. Secrets may come from NAME_FILE.
# SMS: a JSON-over-HTTPS gateway (request and callback shape in the README, "SMS and WhatsApp").
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER = env.str("SMS_SENDER", default="")
# Key of the HMAC-SHA256 the gateway signs its delivery reports with (X-Dblood-Signature).
SMS_CALLBACK_SECRET = env.str("SMS_CALLBACK_SECRET", default="")
# WhatsApp Business Cloud API: {WHATSAPP_API_URL}/{WHATSAPP_PHONE_NUMBER_ID}/messages, bearer token.
WHATSAPP_API_URL = env.str("WHATSAPP_API_URL", default="")
WHATSAPP_TOKEN = env.str("WHATSAPP_TOKEN", default="")
WHATSAPP_PHONE_NUMBER_ID = env.str("WHATSAPP_PHONE_NUMBER_ID", default="")
# The Meta app's secret: status webhooks carry X-Hub-Signature-256, an HMAC-SHA256 of the body with it.
WHATSAPP_APP_SECRET = env.str("WHATSAPP_APP_SECRET", default="")
# Answer to Meta's webhook verification handshake (GET ...?hub.verify_token=...).
WHATSAPP_VERIFY_TOKEN = env.str("WHATSAPP_VERIFY_TOKEN", default="")
# An approved template with one body parameter ({{1}}) that carries the short text; empty: plain
# text messages (which WhatsApp delivers only within 24 hours of the donor's last message).
WHATSAPP_TEMPLATE = env.str("WHATSAPP_TEMPLATE", default="")
# Seconds one provider call may take (connect and each read), and the retry schedule: attempt n
# fails, the next waits CHANNEL_RETRY_BASE_SECONDS * 2**(n-1) (capped at an hour); after
# CHANNEL_MAX_ATTEMPTS the message is given up (failed).
CHANNEL_TIMEOUT_SECONDS = env.float("CHANNEL_TIMEOUT_SECONDS", default=10.0)
CHANNEL_RETRY_BASE_SECONDS = env.int("CHANNEL_RETRY_BASE_SECONDS", default=60)
CHANNEL_MAX_ATTEMPTS = env.int("CHANNEL_MAX_ATTEMPTS", default=5)

# --- Reliability and security -------------------------------------------------------------------
# Bodies over the limit get a 413 in the error shape before anything reads them; multipart
# uploads have their own, larger limit (nginx's client_max_body_size should match it).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# A statement of a request that gets no answer in this many seconds is abandoned with a 503 (a hung
# PostgreSQL: `core.deadline`); 0 for no limit. Not applied to migrations, backups or worker jobs.
DATABASE_QUERY_TIMEOUT = env.float("DATABASE_QUERY_TIMEOUT", default=5.0)
# /readyz's own, shorter limit: a load balancer must hear "not ready" well within its probe timeout.
READYZ_QUERY_TIMEOUT = 2.0
# Where `manage.py backup` writes (one new directory per backup); restore reads any of them.
BACKUP_DIR = env.str("BACKUP_DIR", default=str(BASE_DIR / "backups"))
# Directory of pg_dump/pg_restore matching the server's major version (empty: from the PATH).
PG_BIN_DIR = env.str("PG_BIN_DIR", default="")

# --- Donors' national identity number (NIK) ---------------------------------------------------
# The NIK is stored encrypted (Fernet: AES-128-CBC with an HMAC) and found by a keyed hash
# (HMAC-SHA256), each with its own key; production refuses to start without both. The keyring is
# comma-separated: the first key encrypts, every key decrypts (README "Rotating the NIK keys").
NIK_ENCRYPTION_KEYS = env_list("NIK_ENCRYPTION_KEYS")
NIK_HASH_KEY = env.str("NIK_HASH_KEY", default="")
# Likely duplicate donors: same birth date and sex, and names at least this similar (RapidFuzz's
# token-sort ratio, 0-100, accents and case ignored).
DUPLICATE_NAME_SCORE = env.int("DUPLICATE_NAME_SCORE", default=88)

# --- Client address through the web ------------------------------------------------------------
# The web calls the api for browsers and forwards each browser's address in X-Forwarded-For, having
# appended the address it saw. A call bearing this key (the web's WEB_PROXY_KEY, same value) is
# counted as having come through one more proxy than NUM_PROXIES, so the login throttles count
# browsers, not the web. Empty: the web is the client (every web sign-in shares one bucket).
WEB_PROXY_KEY = env.str("WEB_PROXY_KEY", default="")
# X-Forwarded-For (and the web's key) count only on a request whose peer address is in one of these
# networks: the proxies in front (nginx, the web). A caller reaching the api directly from anywhere
# else is its own address, whatever it writes. Default: loopback and the private ranges compose and
# Kubernetes networks use; narrow it to your proxies' addresses.
TRUSTED_PROXY_NETWORKS = env_list(
    "TRUSTED_PROXY_NETWORKS",
    default=["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"],
)

# ---- Site photos (a photo of each blood bank / hospital, PUT /api/v1/sites/{id}/photo) -----------
# Largest photo file accepted (413 naming the field `photo` above it); UPLOAD_MAX_BYTES stays the
# outer cap on the whole multipart body.
SITE_PHOTO_MAX_BYTES = env.int("SITE_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
# Largest image in pixels (width x height) the api will decode: a small file can declare a huge
# image (decompression bomb). Also Pillow's Image.MAX_IMAGE_PIXELS (set in SitesConfig.ready).
SITE_PHOTO_MAX_PIXELS = env.int("SITE_PHOTO_MAX_PIXELS", default=12_000_000)

# ---- Read answers from the cache (dblood.core.answers) -------------------------------------------
# Drive search, nearest sites, the staff unit list and a donor's eligibility are served from the
# cache until a write changes the data behind them (every process sees the change at once); this
# bounds how long any one answer is kept. 0: always compute. Off by default without memcached: a
# process-local cache cannot tell the other worker processes that a write made their answers stale.
ANSWER_CACHE_SECONDS = env.int("ANSWER_CACHE_SECONDS", default=60 if MEMCACHED_LOCATION else 0)
# Public data (the stock, drive search, site lists: dblood.core.httpcache): how long browsers and
# nginx may keep an answer (max-age), and how much longer they may serve it while fetching the next.
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=5)
PUBLIC_STALE_SECONDS = env.int("PUBLIC_STALE_SECONDS", default=10)

# ---- Lookback and recall (dblood.recalls; docs/domain.md "Returns and lookback") -----------
# When a donation becomes finally reactive, the donor's units from this many months before it (or
# back to their last non-reactive donation, if that is later) are traced.
LOOKBACK_MONTHS = env.int("LOOKBACK_MONTHS", default=12)

# ---- Contact relay (dblood.relay) -------------------------------------------------------------
# Messages between a call-out's responder and the staff are deleted this many days after they were written.
RELAY_RETENTION_DAYS = env.int("RELAY_RETENTION_DAYS", default=30)

# ---- Returned units (dblood.returns; docs/domain.md "Returns and lookback") ----------------------
# An issued red-cell unit handed back unused may go back into stock only if it was out of controlled
# storage for at most this many minutes (unless in a validated transport box), stayed within this
# temperature range and its seal is intact; components without a validated return rule are discarded.
RETURN_MAX_MINUTES_OUT = env.int("RETURN_MAX_MINUTES_OUT", default=30)
RETURN_TEMPERATURE_MIN_C = env.float("RETURN_TEMPERATURE_MIN_C", default=1.0)
RETURN_TEMPERATURE_MAX_C = env.float("RETURN_TEMPERATURE_MAX_C", default=10.0)
RETURN_RESTOCK_COMPONENTS = env_list("RETURN_RESTOCK_COMPONENTS", default=["WB", "PRC"])
