"""PostgreSQL, memcached and gunicorn for a benchmark run, on loopback, stopped by their own handles."""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from mirakuru import TCPExecutor
from port_for import get_port
from pytest_postgresql.executors import PostgreSQLExecutor

from testing import servers
from testing.servers import create_database, start_memcached, stop_postgresql

ROOT = Path(__file__).resolve().parent.parent
# Throwaway server tuned for a dataset of a few GB: durability off (never for production),
# a cache big enough to hold the hot indexes, room for parallel index builds.
PG_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
    "-c shared_buffers=1GB -c work_mem=16MB -c maintenance_work_mem=512MB -c max_wal_size=8GB "
    "-c checkpoint_timeout=30min -c effective_cache_size=4GB -c random_page_cost=1.1"
)

__all__ = ["start_postgresql", "stop_postgresql", "create_database", "start_memcached", "Gunicorn"]


def start_postgresql() -> PostgreSQLExecutor:
    """The suite's throwaway server (testing.servers), with the bench's memory settings."""
    return servers.start_postgresql(options=PG_OPTIONS, prefix="dblood-bench-pg-")


def _empty_static_root() -> Path:
    path = Path(tempfile.gettempdir()) / "dblood-bench-static"
    path.mkdir(exist_ok=True)
    return path


def bench_env(db_url: str, memcached: TCPExecutor | None) -> dict[str, str]:
    """Production settings (through bench.settings) with plain HTTP on loopback."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY="bench-only-not-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=db_url,
        DATABASE_CONN_MAX_AGE="600",
        MEMCACHED_LOCATION=f"127.0.0.1:{memcached.port}" if memcached else "",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        # whitenoise wants the directory to exist; the api serves no static files under load.
        STATIC_ROOT=str(_empty_static_root()),
    )
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


class Gunicorn:
    """`gunicorn dblood.wsgi` with the bench settings; sync workers, as the image runs it."""

    def __init__(self, env: dict[str, str], workers: int = 4):
        self.port = get_port(None)
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.env = env
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "dblood.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--backlog",
                "2048",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def worker_pids(self) -> list[int]:
        import psutil

        return [child.pid for child in psutil.Process(self.process.pid).children()]

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
