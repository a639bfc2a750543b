"""Run wrk with bench/lua/requests.lua and parse what it reports."""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua" / "requests.lua"


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    non_2xx: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non_2xx


def parse(output: str) -> WrkResult:
    """The `BENCH_JSON {...}` line the Lua script's done() prints."""
    for line in output.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line.removeprefix("BENCH_JSON "))
            return WrkResult(
                requests=data["requests"],
                seconds=data["duration_us"] / 1e6,
                p50_ms=data["p50_us"] / 1000,
                p95_ms=data["p95_us"] / 1000,
                p99_ms=data["p99_us"] / 1000,
                max_ms=data["max_us"] / 1000,
                socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
                non_2xx=data["status"],
            )
    raise ValueError(f"no BENCH_JSON line in wrk output:\n{output}")


def write_requests(path: Path, lines: list[tuple]) -> Path:
    """The TSV the Lua script replays: method, path, token, body, If-None-Match ('-' for none)."""
    with path.open("w") as f:
        for method, url_path, token, body, *tag in lines:
            if "\t" in (body or "") or "\n" in (body or ""):
                raise ValueError("request bodies must be single-line JSON without tabs")
            f.write(f"{method}\t{url_path}\t{token or '-'}\t{body or '-'}\t{(tag and tag[0]) or '-'}\n")
    return path


def run(base_url: str, requests_file: Path, *, seconds: int, connections: int = 32, threads: int = 2) -> WrkResult:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
        base_url,
        "--",
        str(requests_file),
    ]
    env = {"BENCH_THREADS": str(threads), "PATH": "/usr/bin:/bin"}
    completed = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    return parse(completed.stdout)
