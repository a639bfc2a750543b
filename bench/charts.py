"""`python -m bench charts [DIR]`: draw the PNG charts again from DIR/results.json (default bench/).

For a change to the charts alone: no fifteen-minute run to see it.
"""

import json
from pathlib import Path
from types import SimpleNamespace

from . import report

ROOT = Path(__file__).resolve().parent.parent


def _namespace(value):
    if isinstance(value, dict):
        return SimpleNamespace(**{key: _namespace(item) for key, item in value.items()})
    if isinstance(value, list):
        return [_namespace(item) for item in value]
    return value


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else ROOT / "bench"
    run = _namespace(json.loads((out / "results.json").read_text()))
    for measured in [*run.results, *getattr(run, "computed", [])]:
        if measured.wrk is not None:
            measured.wrk.rps = measured.wrk.requests / measured.wrk.seconds if measured.wrk.seconds else 0.0
    print("drew", ", ".join(report.charts(run, out)))
