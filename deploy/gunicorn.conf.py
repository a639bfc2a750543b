"""gunicorn settings for both images (api: `dblood.wsgi`, web: `dblood_web.wsgi`).

Everything tunable comes from the environment, so one file serves compose, Swarm and Kubernetes:

    GUNICORN_BIND              0.0.0.0:8000
    GUNICORN_WORKERS           2 x CPUs + 1 (capped at 8), or WEB_CONCURRENCY if set
    GUNICORN_THREADS           1
    GUNICORN_TIMEOUT           30   seconds a request may take before its worker is replaced
    GUNICORN_GRACEFUL_TIMEOUT  30   seconds in-flight requests get after SIGTERM (docker stop)
    GUNICORN_MAX_REQUESTS      1000 recycle a worker after this many requests (0: never)
    FORWARDED_ALLOW_IPS        127.0.0.1  proxies whose X-Forwarded-* headers gunicorn trusts
    STATIC_EXPORT_DIR          unset; if set, STATIC_ROOT is copied there once at start, so the
                               host's nginx serves /static/ itself from a shared host folder
"""

import os
import shutil
from pathlib import Path


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = _int("GUNICORN_WORKERS", _int("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 8)))
threads = _int("GUNICORN_THREADS", 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Import the application once in the master: workers fork with it loaded, a broken
# configuration (missing SECRET_KEY) stops the container at once instead of looping workers,
# and the image ships no bytecode (compiling once per start costs about a second).
preload_app = True
# Heartbeat files on tmpfs: the container's root filesystem may be read-only.
_SHM = "/dev/shm"  # noqa: S108 - gunicorn's documented choice in containers, not a temp file name
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None
# No control socket (gunicornc): it would be created under $HOME, read-only in the images, and a
# container is replaced, not re-tuned at run time.
control_socket_disable = True
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = os.environ.get("GUNICORN_PROC_NAME", "dblood")


def on_starting(server):
    """Publish the image's collected static files to the folder nginx serves /static/ from."""
    target = os.environ.get("STATIC_EXPORT_DIR", "").strip()
    source = os.environ.get("STATIC_ROOT", "").strip()
    if not target or not source or not os.path.isdir(source):
        return
    # The manifest is each image's own business; api and web share the exported folder.
    shutil.copytree(source, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("staticfiles.json"))
    server.log.info("static files from %s published to %s", source, Path(target))
