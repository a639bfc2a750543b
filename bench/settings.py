"""Production settings plus what only a benchmark needs.

- `bench.urls`: the api's URLs plus `/bench/ceiling`, a minimal Django JSON view behind the same
  middleware, so each endpoint's throughput can be given as a ratio to what the stack itself allows.
- `X-DB-Queries`: a response header counting the SQL statements a request ran.

Production code gains no benchmark endpoint: only this module points at `bench.urls`.
"""

from dblood.settings.production import *  # noqa: F403
from dblood.settings.production import MIDDLEWARE

ROOT_URLCONF = "bench.urls"
# Outermost, so it counts every query any middleware or view runs (sessions, auth, the view).
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
# Nothing to log per request; the access log would only cost the workers time.
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
