"""PostgreSQL, memcached and gunicorn for a benchmark run, on loopback, stopped by their own handles."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from mirakuru import TCPExecutor
from port_for import get_port
from pytest_postgresql.executors import PostgreSQLExecutor

from testing.servers import PG_CTL, _owned_tempdir, start_memcached

ROOT = Path(__file__).resolve().parent.parent
# Throwaway server tuned for a dataset of a few GB: durability off (never for production),
# a cache big enough to hold the hot indexes, room for parallel index builds.
PG_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
    "-c shared_buffers=1GB -c work_mem=16MB -c maintenance_work_mem=512MB -c max_wal_size=8GB "
    "-c checkpoint_timeout=30min -c effective_cache_size=4GB -c random_page_cost=1.1"
)

__all__ = ["start_postgresql", "stop_postgresql", "start_memcached", "Gunicorn"]


def start_postgresql() -> PostgreSQLExecutor:
    base = _owned_tempdir("dblood-bench-pg-")
    executor = PostgreSQLExecutor(
        executable=PG_CTL,
        host="127.0.0.1",
        port=get_port(None),
        datadir=os.path.join(base, "data"),
        unixsocketdir=base,
        logfile=os.path.join(base, "server.log"),
        startparams="-w",
        dbname="dblood",
        user="postgres",
        postgres_options=PG_OPTIONS,
    )
    executor.start()
    executor.base_dir = base
    return executor


def stop_postgresql(executor: PostgreSQLExecutor) -> None:
    executor.stop()
    shutil.rmtree(executor.base_dir, ignore_errors=True)


def database_url(pg: PostgreSQLExecutor, name: str) -> str:
    return f"postgres://postgres@{pg.host}:{pg.port}/{name}"


def create_database(pg: PostgreSQLExecutor, name: str) -> str:
    import psycopg

    deadline = time.monotonic() + 60
    while True:
        try:
            conn = psycopg.connect(host=pg.host, port=pg.port, user="postgres", dbname="postgres", autocommit=True)
            break
        except psycopg.OperationalError:
            # "the database system is starting up": pg_ctl -w can return a moment early on a busy machine.
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(pg, name)


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
        STATIC_ROOT=tempfile.mkdtemp(prefix="dblood-bench-static-"),
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
