#!/usr/bin/env python3
"""Fill in deploy/nginx/dblood.conf's ${DBLOOD_...} placeholders. Standard library only.

    python3 deploy/nginx/render.py [--env .env] [NAME=VALUE ...] > /etc/nginx/sites-available/dblood.conf

Values come from, last wins: the defaults below (the host nginx of the original deployment:
web on 127.0.0.1:8000, api on 127.0.0.1:8080), the compose .env file (its DBLOOD_STATIC_DIR
and DBLOOD_MEDIA_DIR are the same host folders the containers mount; relative ones are taken
from the .env file's folder), the process environment, then NAME=VALUE arguments.
A placeholder without a value is an error, never an empty directive.

DBLOOD_API_UPSTREAM and DBLOOD_WEB_UPSTREAM may list several addresses, comma-separated
(`127.0.0.1:8080,127.0.0.1:8081`, a scaled service's published ports): their `server` line is
repeated once per address.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "dblood.conf"
PLACEHOLDER = re.compile(r"\$\{(DBLOOD_[A-Z_]+)\}")
DEFAULTS = {
    "DBLOOD_LISTEN": "80",
    # "on" once this server terminates TLS: plain HTTP is then redirected to HTTPS.
    "DBLOOD_TLS": "off",
    "DBLOOD_SERVER_NAME": "_",
    "DBLOOD_WEB_UPSTREAM": "127.0.0.1:8000",
    "DBLOOD_API_UPSTREAM": "127.0.0.1:8080",
    "DBLOOD_STATIC_DIR": "./data/static",
    "DBLOOD_MEDIA_DIR": "./data/media",
    "DBLOOD_ERROR_PAGES": str(HERE / "errors"),
    # nginx's cache of public api answers (its parent must exist: Debian's and the images' nginx have it).
    "DBLOOD_NGINX_CACHE_DIR": "/var/cache/nginx/dblood",
}
PATHS = ("DBLOOD_STATIC_DIR", "DBLOOD_MEDIA_DIR", "DBLOOD_ERROR_PAGES")
LISTS = ("DBLOOD_API_UPSTREAM", "DBLOOD_WEB_UPSTREAM")


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip().strip("'\"")
    return values


def render(values: dict[str, str], *, base: Path | None = None, template: str | None = None) -> str:
    """The config text with every placeholder filled; relative paths resolved against `base`."""
    merged = {**DEFAULTS, **values}
    base = base or Path.cwd()
    for name in PATHS:
        merged[name] = str((base / merged[name]).resolve()).rstrip("/")
    text = TEMPLATE.read_text() if template is None else template
    for name in LISTS:
        addresses = [address.strip() for address in merged.get(name, "").split(",") if address.strip()]
        merged[name] = addresses[0] if addresses else ""
        if len(addresses) > 1:
            text = re.sub(
                rf"^.*\$\{{{name}\}}.*$",
                lambda line, addresses=addresses, name=name: "\n".join(
                    line.group(0).replace(f"${{{name}}}", address) for address in addresses
                ),
                text,
                flags=re.M,
            )

    def fill(match: re.Match) -> str:
        value = merged.get(match.group(1), "")
        if not value:
            raise KeyError(f"{match.group(1)} has no value")
        return value

    return PLACEHOLDER.sub(fill, text)


def main(argv: list[str]) -> int:
    values: dict[str, str] = {}
    base = Path.cwd()
    if argv[:1] == ["--env"]:
        env_file = Path(argv[1]).resolve()
        values.update(read_env_file(env_file))
        base = env_file.parent
        argv = argv[2:]
    values.update({name: value for name, value in os.environ.items() if name in DEFAULTS})
    values.update(arg.split("=", 1) for arg in argv)
    sys.stdout.write(render(values, base=base))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
