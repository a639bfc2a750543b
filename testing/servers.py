"""Throwaway servers started from the machine's binaries, on loopback, for the suite.

Nothing here skips: a missing binary is an error (CI installs them; see .ci/run).
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from mirakuru import TCPExecutor
from port_for import get_port
from pytest_postgresql.executors import PostgreSQLExecutor

ROOT = Path(__file__).resolve().parent.parent
PG_CTL = str(ROOT / "scripts" / "pg_ctl")


def _owned_tempdir(prefix: str) -> str:
    """A temp dir PostgreSQL's own user can write when we run as root."""
    path = tempfile.mkdtemp(prefix=prefix)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
    return path


# Durability is irrelevant for a throwaway server; speed is not.
TEST_PG_OPTIONS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"


def start_postgresql(*, options: str = TEST_PG_OPTIONS, prefix: str = "dblood-pg-") -> PostgreSQLExecutor:
    """A throwaway PostgreSQL on a free loopback port, accepting sessions when this returns."""
    base = _owned_tempdir(prefix)
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
        postgres_options=options,
    )
    executor.start()
    executor.base_dir = base
    wait_for_postgresql(executor)
    return executor


def wait_for_postgresql(executor: PostgreSQLExecutor, timeout: float = 30) -> None:
    """The port opens before PostgreSQL accepts sessions ("the database system is starting up"):
    wait for a real one, or the first test to connect fails at random."""
    import time

    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(
                host=executor.host, port=executor.port, user="postgres", dbname="postgres", connect_timeout=2
            ).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def stop_postgresql(executor: PostgreSQLExecutor) -> None:
    executor.stop()
    shutil.rmtree(executor.base_dir, ignore_errors=True)


def memcached_binary() -> str:
    path = shutil.which("memcached") or "/usr/bin/memcached"
    if not os.path.exists(path):
        raise RuntimeError("memcached not found: install the memcached package (see .ci/run)")
    return path


def start_memcached() -> TCPExecutor:
    port = get_port(None)
    user = ["-u", "nobody"] if os.geteuid() == 0 else []
    executor = TCPExecutor(
        [memcached_binary(), *user, "-l", "127.0.0.1", "-p", str(port), "-m", "64", "-U", "0"],
        host="127.0.0.1",
        port=port,
        timeout=10,
    )
    executor.start()
    return executor


def pg_version() -> str:
    return subprocess.check_output([PG_CTL, "--version"], text=True).strip()


# --- the api as a real process (reliability tests) ----------------------------------------------


def create_database(executor: PostgreSQLExecutor, name: str) -> str:
    """Create database `name` on a throwaway server; returns its DATABASE_URL."""
    import psycopg

    with psycopg.connect(
        host=executor.host, port=executor.port, user="postgres", dbname="postgres", autocommit=True
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@{executor.host}:{executor.port}/{name}"


def production_env(database_url: str, memcached: str = "", **extra: str) -> dict[str, str]:
    """Environment for the api with production settings on loopback (plain HTTP)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="dblood.settings.production",
        SECRET_KEY="reliability-" + "k3y!Zq" * 10,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        NIK_ENCRYPTION_KEYS="cmVsaWFiaWxpdHktbmlrLWtleS0zMi1ieXRlcy0tLS0=",
        NIK_HASH_KEY="reliability-nik-hash-key",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        MEMCACHED_LOCATION=memcached,
        DATABASE_CONNECT_TIMEOUT="2",
        STATIC_ROOT=tempfile.mkdtemp(prefix="dblood-static-"),
        MEDIA_ROOT=tempfile.mkdtemp(prefix="dblood-media-"),
        LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    import sys

    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def start_gunicorn(env: dict[str, str], workers: int = 2, threads: int = 4):
    """gunicorn serving dblood.wsgi on a free port; ready when /healthz answers."""
    import sys

    from mirakuru import HTTPExecutor

    port = get_port(None)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    executor = HTTPExecutor(
        [
            gunicorn,
            "dblood.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "30",
            "--chdir",
            str(ROOT),
        ],
        url=f"http://127.0.0.1:{port}/healthz",
        method="GET",
        timeout=60,
        envvars=env,
    )
    executor.start()
    executor.base_url = f"http://127.0.0.1:{port}"
    return executor
