"""`python -m bench <command> ...`: seed, run (with growth), callout, selector, charts (from results.json),
reports (each report's national monthly query at growing sizes)."""

import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    commands = ("seed", "run", "callout", "selector", "charts", "reports")
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(f"usage: python -m bench {{{','.join(commands)}}} [options]")
    command = sys.argv[1]
    if command in ("seed", "selector"):
        django.setup()
    module = __import__(f"bench.{command}", fromlist=["main"])
    module.main(sys.argv[2:])


if __name__ == "__main__":
    main()
