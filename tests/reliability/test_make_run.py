"""`make run` is the whole system: the api, the web and the worker start together, each says where
it listens, and SIGTERM (a process manager) or Ctrl-C stops every process it started, leaving the
ports free. Real processes on loopback, on a throwaway SQLite database."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(port: int, path: str) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry.name))
    return members


@pytest.fixture
def system_env(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dblood.settings.development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}",
        "DBLOOD_API_PORT": str(free_port()),
        "DBLOOD_WEB_PORT": str(free_port()),
    }
    env.pop("DBLOOD_API_URL", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True, timeout=300)
    return env


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_make_run_starts_every_part_and_a_signal_stops_them_all(system_env, stop_signal):
    api_port, web_port = int(system_env["DBLOOD_API_PORT"]), int(system_env["DBLOOD_WEB_PORT"])
    runner = subprocess.Popen(
        [sys.executable, "scripts/run_dev.py"],
        cwd=ROOT,
        env=system_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not (answers(api_port, "/healthz") and answers(web_port, "/healthz")):
            assert runner.poll() is None, runner.stdout.read()
            assert time.monotonic() < deadline, "api and web did not answer within 90 s"
            time.sleep(0.5)
        children = [
            int(pid)
            for pid in subprocess.run(["pgrep", "-P", str(runner.pid)], capture_output=True, text=True).stdout.split()
        ]
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for pid in children]
        assert len(children) == 3
        assert any("runserver" in c and "manage.py" in c and "manage_web" not in c for c in commands)
        assert any("manage_web.py runserver" in c for c in commands)
        assert any("manage.py worker" in c for c in commands)

        runner.send_signal(stop_signal)
        output, _ = runner.communicate(timeout=30)
    finally:
        if runner.poll() is None:
            runner.kill()
    assert f"http://127.0.0.1:{api_port}/" in output and f"http://127.0.0.1:{web_port}/" in output
    assert "worker" in output and "dblood: stopped." in output
    for pid in children:
        assert group_members(pid) == [], f"process group {pid} still has processes"
    assert port_is_free(api_port) and port_is_free(web_port)
