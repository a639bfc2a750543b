"""The production topology as plain processes on loopback: what `docker compose up` runs,
without an engine. PostgreSQL and memcached from the machine's packages, the api (and the web,
the worker, once they exist) under gunicorn with production settings and the shipped gunicorn
config, nginx with the shipped site config.

The apps run on the production packages only, trimmed as the Dockerfile trims them: a copy of
requirements-prod.txt's distributions, `deploy/trim.py site-packages --drop-static`, and
`python -S` so nothing else (no dev tool) is importable. Static files are collected with the
production storage and trimmed as in the image (`trim.py static-root`).
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mirakuru import HTTPExecutor, SimpleExecutor, TCPExecutor
from port_for import get_port

from testing.servers import create_database, start_memcached
from tests.deploy.deployhelpers import DEPLOY, ROOT, nginx_binary, write_nginx_conf

sys.path.insert(0, str(DEPLOY))
import trim  # noqa: E402

SECRET = "stack-test-secret-key-" + "x" * 40
# `manage.py demo` under production settings takes the operator's password, never the README's.
DEMO_PASSWORD = "stack-demo-password-" + "d" * 8
GUNICORN_CONF = str(DEPLOY / "gunicorn.conf.py")


def production_distributions(path: Path = ROOT / "requirements-prod.txt") -> list[str]:
    names = []
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names += production_distributions(path.parent / line[3:].strip())
        elif line:
            names.append(re.split(r"[\[=<>]", line, maxsplit=1)[0])
    return names


def production_site_packages(destination: Path) -> Path:
    """Only the production distributions, copied from this interpreter, trimmed like the image."""
    for name in production_distributions():
        distribution = importlib.metadata.distribution(name)
        for file in distribution.files or []:
            source = Path(distribution.locate_file(file))
            if file.parts[0] == ".." or not source.is_file():  # console scripts outside site-packages
                continue
            target = destination / file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    trim.trim_site_packages(destination, drop_static=True)
    return destination


def collect_static(manage: str, settings: str, static_root: Path) -> None:
    """As the Dockerfile's app stage: collectstatic with production storage, then trim."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "SECRET_KEY": "build-only", "DEBUG": "false"}
    env.update(ALLOWED_HOSTS="build.invalid", NIK_ENCRYPTION_KEYS="build-only", NIK_HASH_KEY="build-only")
    env.update(STATIC_ROOT=str(static_root))
    subprocess.run([sys.executable, manage, "collectstatic", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    trim.trim_static_root(static_root)


@dataclass
class Stack:
    base: Path
    database_url: str
    memcached: str
    site: Path
    executors: list = field(default_factory=list)
    nginx_url: str = ""
    api_url: str = ""
    web_url: str = ""
    worker: SimpleExecutor | None = None
    # Each service's executor by name ("api", "web", "worker", "nginx"): outage tests stop one and
    # start it again (mirakuru's start() waits until it answers, as at first start).
    services: dict = field(default_factory=dict)
    api_workers: int = 1
    api_overrides: dict = field(default_factory=dict)

    @property
    def static_export(self) -> Path:
        return self.base / "static"

    @property
    def media(self) -> Path:
        return self.base / "media"

    @property
    def mail(self) -> Path:
        """The api's e-mail, one file a message (Django's file backend): tests read sign-up links here."""
        return self.base / "mail"

    def python(self, *args: str) -> list[str]:
        # -S: no site-packages but the trimmed production copy (PYTHONPATH).
        return [sys.executable, "-S", *args]

    def api_env(self, **overrides: str) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.base),
            "PYTHONPATH": f"{ROOT}{os.pathsep}{self.site}",
            "PYTHONDONTWRITEBYTECODE": "1",
            "DJANGO_SETTINGS_MODULE": "dblood.settings.production",
            "SECRET_KEY": SECRET,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url,
            "MEMCACHED_LOCATION": self.memcached,
            "STATIC_ROOT": str(self.base / "static-api"),
            "STATIC_EXPORT_DIR": str(self.static_export),
            "MEDIA_ROOT": str(self.media),
            # Plain HTTP on loopback: no TLS to redirect to.
            "SECURE_SSL_REDIRECT": "false",
            "GUNICORN_WORKERS": "2",
            "EMAIL_URL": f"filemail:///{self.mail}",
            "NUM_PROXIES": "1",
            # The web (whose environment starts from this one) proves its X-Forwarded-For hop with it.
            "WEB_PROXY_KEY": "stack-web-proxy-key-" + "p" * 30,
            "NIK_ENCRYPTION_KEYS": "c3RhY2stbmlrLWtleS0zMi1ieXRlcy1sb25nLS0tLS0=",
            "NIK_HASH_KEY": "stack-nik-hash-key-" + "h" * 30,
        }
        env.update(overrides)
        return {name: value for name, value in env.items() if value is not None}

    def start(self, executor, name: str = ""):
        executor.start()
        self.executors.append(executor)
        if name:
            self.services[name] = executor
        return executor

    def stop(self) -> None:
        for executor in reversed(self.executors):
            executor.stop()


def start_stack(
    base: Path, postgresql_server, memcached, *, api_workers: int = 1, api_overrides: dict | None = None
) -> Stack:
    """`api_workers` and `api_overrides` (extra environment) shape the api's gunicorn; the soak
    runs it with production's worker count. The services' stdout is mirakuru's pipe, which
    nobody reads: under sustained load send gunicorn's access log to a file
    (`GUNICORN_CMD_ARGS="--access-logfile FILE"`), or a full pipe blocks every worker."""
    stack = Stack(
        base=base,
        database_url=create_database(postgresql_server, "dblood_stack"),
        memcached=f"{memcached.host}:{memcached.port}",
        site=production_site_packages(base / "site-packages"),
        api_workers=api_workers,
        api_overrides=api_overrides or {},
    )
    stack.static_export.mkdir()
    stack.media.mkdir()
    stack.mail.mkdir()
    try:
        _start_services(stack)
    except BaseException:
        stack.stop()
        raise
    return stack


@contextmanager
def running_stack(base: Path, postgresql_server) -> Iterator[Stack]:
    """The whole stack with a memcached of its own, stopped (both) on the way out: a module fixture."""
    memcached = start_memcached()
    running = None
    try:
        running = start_stack(base, postgresql_server, memcached)
        yield running
    finally:
        if running:
            running.stop()
        memcached.stop()


def _start_services(stack: Stack) -> None:
    # The compose `migrate` one-shot.
    subprocess.run(stack.python("manage.py", "migrate", "--noinput"), cwd=ROOT, env=stack.api_env(), check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    # Demo sites, staff and stock for the journey (the operator's `manage.py demo`).
    subprocess.run(stack.python("manage.py", "demo", "--allow-production"), cwd=ROOT,
                   env=stack.api_env(DEMO_PASSWORD=DEMO_PASSWORD), check=True,
                   capture_output=True, timeout=300)  # fmt: skip
    collect_static("manage.py", "dblood.settings.production", stack.base / "static-api")

    api_port = get_port(None)
    stack.api_url = f"http://127.0.0.1:{api_port}"
    stack.start(api_executor(stack, api_port, workers=stack.api_workers), "api")

    web_port = get_port(None)  # nothing listens there unless the web exists in this checkout
    if (ROOT / "dblood_web").is_dir() and (ROOT / "manage_web.py").exists():
        collect_static("manage_web.py", "dblood_web.settings", stack.base / "static-web")
        stack.web_url = f"http://127.0.0.1:{web_port}"
        env = stack.api_env(
            DJANGO_SETTINGS_MODULE="dblood_web.settings",
            GUNICORN_BIND=f"127.0.0.1:{web_port}",
            DBLOOD_API_URL=stack.api_url,
            STATIC_ROOT=str(stack.base / "static-web"),
            DEBUG="false",
            SESSION_COOKIE_SECURE="false",
            DATABASE_URL=None,
            MEMCACHED_LOCATION=None,
        )
        command = stack.python("-m", "gunicorn", "--config", GUNICORN_CONF, "dblood_web.wsgi")
        stack.start(
            HTTPExecutor(
                command,
                url=f"{stack.web_url}/healthz",
                method="GET",
                status="200",
                cwd=str(ROOT),
                envvars=env,
                timeout=90,
            ),  # fmt: skip
            "web",
        )

    if list((ROOT / "dblood").glob("*/management/commands/worker.py")):
        stack.worker = stack.start(SimpleExecutor(stack.python("manage.py", "worker"), cwd=str(ROOT),
                                                  envvars=stack.api_env()), "worker")  # fmt: skip

    executor, stack.nginx_url = nginx_executor(
        stack, stack.base / "nginx", web=f"127.0.0.1:{web_port}", api=f"127.0.0.1:{api_port}"
    )
    stack.start(executor, "nginx")


def api_executor(stack: Stack, port: int, workers: int = 1) -> HTTPExecutor:
    """The api as its image runs it: gunicorn, the shipped config, production settings."""
    return HTTPExecutor(
        stack.python("-m", "gunicorn", "--config", GUNICORN_CONF, "dblood.wsgi"),
        url=f"http://127.0.0.1:{port}/readyz",
        method="GET",
        status="200",
        cwd=str(ROOT),
        envvars=stack.api_env(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS=str(workers), **stack.api_overrides),
        timeout=90,
    )


def nginx_executor(stack: Stack, prefix: Path, *, web: str, api: str) -> tuple[TCPExecutor, str]:
    """nginx with the shipped site rendered for these upstreams (`api` may list several)."""
    port = get_port(None)
    prefix.mkdir()
    conf = write_nginx_conf(prefix, port=port, web=web, api=api, static=stack.static_export, media=stack.media)
    command = [nginx_binary(), "-c", str(conf), "-p", str(prefix)]
    return TCPExecutor(command, host="127.0.0.1", port=port), f"http://127.0.0.1:{port}"
