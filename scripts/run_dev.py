"""`make run`: the whole system on one machine: the api, the web and the background worker.

Each part runs in its own process group, so that stopping `make run` (Ctrl-C, or SIGTERM from a
process manager) stops every process it started, the development servers' auto-reloading children
included, and leaves the ports free. If one part exits on its own, the others are stopped too.
Ports: DBLOOD_API_PORT (8080) and DBLOOD_WEB_PORT (8000).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STOP_GRACE_SECONDS = 10


class Stop(Exception):
    """A stop signal arrived."""


def _stop_on_signal(signum, frame):
    raise Stop


def start(name: str, args: list[str], env: dict[str, str]) -> tuple[str, subprocess.Popen]:
    return name, subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, start_new_session=True)


def stop(parts: list[tuple[str, subprocess.Popen]]) -> None:
    """SIGTERM each part's whole process group, then SIGKILL what is still there after the grace."""
    for _, process in parts:
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for _, process in parts:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        try:
            # The group may outlive its leader (runserver's reloading child): make sure it is gone.
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait()


def main() -> int:
    api_port = os.environ.get("DBLOOD_API_PORT", "8080")
    web_port = os.environ.get("DBLOOD_WEB_PORT", "8000")
    api_url = os.environ.get("DBLOOD_API_URL", f"http://127.0.0.1:{api_port}")
    env = {**os.environ, "DBLOOD_API_URL": api_url, "PYTHONUNBUFFERED": "1"}
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    parts = [
        start("api", ["manage.py", "runserver", f"127.0.0.1:{api_port}"], env),
        start("web", ["manage_web.py", "runserver", f"127.0.0.1:{web_port}"], env),
        start("worker", ["manage.py", "worker"], env),
    ]
    print(
        "dblood is starting:\n"
        f"  api     http://127.0.0.1:{api_port}/api/v1/  (docs: /api/docs/, admin: /admin/)\n"
        f"  web     http://127.0.0.1:{web_port}/\n"
        "  worker  reminders, call-out batches, expiry sweep and e-mail (no port)\n"
        "Ctrl-C stops everything.",
        flush=True,
    )
    status = 0
    try:
        while True:
            for name, process in parts:
                if process.poll() is not None:
                    print(f"dblood: the {name} stopped (exit {process.returncode}); stopping the rest.", flush=True)
                    status = process.returncode or 1
                    raise Stop
            time.sleep(0.5)
    except Stop:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop(parts)
    print("dblood: stopped.", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
