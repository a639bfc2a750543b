"""docker-compose.yml, validated by the real Compose v2 binary and read back as the topology."""

import json
import re
import shutil
import subprocess

import pytest

from tests.deploy.deployhelpers import ROOT, compose_binary, render

SECRETS = {
    "SECRET_KEY": "k" * 50,
    "WEB_SECRET_KEY": "w" * 50,
    "POSTGRES_PASSWORD": "secret",
    "WEB_PROXY_KEY": "p" * 50,
    "NIK_ENCRYPTION_KEYS": "bmlrLWNvbXBvc2UtdGVzdC1rZXktMzItYnl0ZXMtLS0=",
    "NIK_HASH_KEY": "h" * 50,
}
SERVICES = {"web", "api", "db", "memcache", "worker", "migrate"}


def _compose(project, *args, env=None):
    base = {"PATH": "/usr/bin:/bin", "HOME": str(project)}
    return subprocess.run(
        [compose_binary(), "-f", str(project / "docker-compose.yml"), *args],
        cwd=project,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The shipped compose file with the shipped .env.example as its .env."""
    path = tmp_path_factory.mktemp("compose")
    shutil.copy(ROOT / "docker-compose.yml", path)
    shutil.copytree(ROOT / "deploy", path / "deploy")
    shutil.copy(ROOT / ".env.example", path / ".env")
    return path


@pytest.fixture(scope="module")
def config(project):
    result = _compose(project, "--profile", "nginx", "config", "--format", "json", env=SECRETS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_config_is_valid(project):
    result = _compose(project, "config", "-q", env=SECRETS)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", sorted(SECRETS))
def test_compose_refuses_to_run_without_each_secret(project, missing):
    env = {name: value for name, value in SECRETS.items() if name != missing}
    result = _compose(project, "config", "-q", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def _networks(config, service):
    return set(config["services"][service].get("networks", {}))


def test_topology_matches_the_original_diagram(config):
    assert SERVICES | {"nginx"} == set(config["services"])
    assert _networks(config, "web") == {"default"}
    assert _networks(config, "api") == {"default", "internal"}
    assert _networks(config, "db") == {"internal"}
    assert _networks(config, "memcache") == {"internal"}
    assert _networks(config, "migrate") == {"internal"}
    assert "internal" in _networks(config, "worker")
    assert config["networks"]["internal"]["internal"] is True
    assert not config["networks"]["default"].get("internal")


def test_web_cannot_reach_db_or_memcache(config):
    web = _networks(config, "web")
    for service in ("db", "memcache"):
        assert not web & _networks(config, service), f"web shares a network with {service}"
        assert not config["services"][service].get("ports"), f"{service} publishes a port"


def test_published_ports_are_the_originals_on_loopback(config):
    def published(service):
        return [(p["host_ip"], p["published"], p["target"]) for p in config["services"][service]["ports"]]

    assert published("web") == [("127.0.0.1", "8000", 8000)]
    assert published("api") == [("127.0.0.1", "8080", 8000)]
    for service in ("worker", "migrate"):
        assert not config["services"][service].get("ports")


def test_media_is_read_write_for_api_read_only_for_web_and_on_host_folders(config, project):
    def mount(service, target):
        (volume,) = [v for v in config["services"][service]["volumes"] if v["target"] == target]
        return volume

    assert mount("api", "/data/media")["type"] == "bind"
    assert not mount("api", "/data/media").get("read_only")
    assert mount("web", "/data/media")["read_only"] is True
    assert mount("api", "/data/media")["source"] == mount("web", "/data/media")["source"]
    assert mount("api", "/data/media")["source"] == str(project / "data" / "media")
    assert mount("db", "/var/lib/postgresql/data")["source"] == str(project / "data" / "postgresql")


def test_every_service_is_health_checked_limited_and_restarted(config):
    for name, service in config["services"].items():
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"
        assert service.get("deploy", {}).get("resources", {}).get("limits"), f"{name} has no limits"
        expected = "no" if name == "migrate" else "unless-stopped"
        assert service.get("restart") == expected, name


def test_startup_waits_for_health_and_for_migrations(config):
    def depends(service):
        return {name: d["condition"] for name, d in config["services"][service].get("depends_on", {}).items()}

    assert depends("migrate") == {"db": "service_healthy"}
    for service in ("api", "worker"):
        assert depends(service) == {
            "migrate": "service_completed_successfully",
            "db": "service_healthy",
            "memcache": "service_healthy",
        }
    assert depends("web") == {"api": "service_healthy"}
    assert config["services"]["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert config["services"]["worker"]["command"] == ["python", "manage.py", "worker"]


def test_app_images_and_settings(config):
    services = config["services"]
    assert services["api"]["build"]["target"] == "api" and services["web"]["build"]["target"] == "web"
    assert services["api"]["image"] == services["worker"]["image"] == services["migrate"]["image"]
    assert services["web"]["environment"]["DBLOOD_API_URL"] == "http://api:8000"
    # The web gets no database or cache: it has neither.
    assert not {"DATABASE_URL", "MEMCACHED_LOCATION", "POSTGRES_PASSWORD"} & set(services["web"]["environment"])
    assert services["api"]["environment"]["DATABASE_URL"].endswith("@db:5432/dblood")
    assert services["nginx"]["profiles"] == ["nginx"]
    for name in ("api", "web", "worker", "migrate"):
        assert services[name]["read_only"] is True and services[name]["cap_drop"] == ["ALL"]


def test_env_example_documents_every_variable_compose_reads():
    used = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert used - documented == set()
    # The rest reach the api through env_file: each is a setting of the README's table.
    table = set(re.findall(r"^\| `([A-Z_]+)`", (ROOT / "README.md").read_text(), re.M))
    assert documented - used - table == set(), "in .env.example but read by nothing"


def test_api_services_read_settings_from_env_file_but_the_web_does_not(config):
    for name in ("api", "worker", "migrate"):
        assert config["services"][name]["environment"]["DIN_FACILITY_NUMBER"] == "T9999"
        assert config["services"][name]["environment"]["NUM_PROXIES"] == "1"
    assert "DIN_FACILITY_NUMBER" not in config["services"]["web"]["environment"]


def test_only_the_web_holds_its_cookie_signing_key(tmp_path):
    """The operator's .env holds every secret, and it reaches the api's services whole (env_file):
    the web's cookie-signing key must still not be in their environment."""
    shutil.copy(ROOT / "docker-compose.yml", tmp_path)
    shutil.copytree(ROOT / "deploy", tmp_path / "deploy")
    secrets = "".join(f"{name}={value}\n" for name, value in SECRETS.items())
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text() + secrets)
    result = _compose(tmp_path, "config", "--format", "json", env={})
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for name in ("api", "worker", "migrate"):
        assert services[name]["environment"].get("WEB_SECRET_KEY", "") == "", name
        assert SECRETS["WEB_SECRET_KEY"] not in json.dumps(services[name]), name
    assert services["web"]["environment"]["SECRET_KEY"] == SECRETS["WEB_SECRET_KEY"]
    assert services["api"]["environment"]["SECRET_KEY"] == SECRETS["SECRET_KEY"]


def test_the_nginx_profile_renders_the_shipped_site_as_the_official_image_does(config):
    """The nginx image runs envsubst on /etc/nginx/templates/*.template with the names of the
    variables it has; compose's values must fill every placeholder and name mounted folders."""
    nginx = config["services"]["nginx"]
    env = nginx["environment"]
    result = subprocess.run(
        ["envsubst", " ".join(f"${{{name}}}" for name in env)],
        input=(ROOT / "deploy" / "nginx" / "dblood.conf").read_text(),
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    assert not render.PLACEHOLDER.search(result.stdout)
    assert "proxy_set_header Host $host;" in result.stdout  # nginx's own variables are left alone
    assert "server web:8000 " in result.stdout and "server api:8000 " in result.stdout
    targets = {volume["target"]: volume for volume in nginx["volumes"]}
    assert targets["/etc/nginx/templates/dblood.conf.template"]["source"].endswith("deploy/nginx/dblood.conf")
    for name in ("DBLOOD_STATIC_DIR", "DBLOOD_MEDIA_DIR", "DBLOOD_ERROR_PAGES"):
        assert targets[env[name]]["read_only"] is True
    # proxy_cache_path must exist and be writable whatever the image holds (make stack-test's
    # stand-in nginx has no /var/cache/nginx): a volume of its own.
    cache = targets[env["DBLOOD_NGINX_CACHE_DIR"]]
    assert cache["type"] == "volume" and not cache.get("read_only")


IMAGE_DEFAULTS = {
    "PYTHON_IMAGE": "python:3.11-alpine3.23",
    "POSTGRES_IMAGE": "postgres:15-alpine",
    "MEMCACHED_IMAGE": "memcached:1.6-alpine",
    "NGINX_IMAGE": "nginx:1.28-alpine",
}


def test_every_base_and_third_party_image_is_a_variable_with_todays_default(project):
    """An operator (or the stack test) swaps in a mirror or a local stand-in without editing the file."""
    text = (ROOT / "docker-compose.yml").read_text()
    for name, default in IMAGE_DEFAULTS.items():
        assert f"${{{name}:-{default}}}" in text, name
    example = (ROOT / ".env.example").read_text()
    assert all(f"\n{name}={default}\n" in example for name, default in IMAGE_DEFAULTS.items())
    assert f"ARG PYTHON_IMAGE={IMAGE_DEFAULTS['PYTHON_IMAGE']}" in (ROOT / "Dockerfile").read_text()
    # Empty in the environment and absent from .env: compose falls back to today's images.
    (project / ".env.defaults").write_text("ALLOWED_HOSTS=api\n")
    defaults = json.loads(
        _compose(
            project, "--env-file", ".env.defaults", "--profile", "nginx", "config", "--format", "json", env=SECRETS
        ).stdout  # fmt: skip
    )["services"]
    assert defaults["db"]["image"] == IMAGE_DEFAULTS["POSTGRES_IMAGE"]
    assert defaults["memcache"]["image"] == IMAGE_DEFAULTS["MEMCACHED_IMAGE"]
    assert defaults["nginx"]["image"] == IMAGE_DEFAULTS["NGINX_IMAGE"]
    local = {name: f"localhost/{name.lower()}:stand-in" for name in IMAGE_DEFAULTS}
    result = _compose(project, "--profile", "nginx", "config", "--format", "json", env={**SECRETS, **local})
    services = json.loads(result.stdout)["services"]
    assert services["db"]["image"] == local["POSTGRES_IMAGE"]
    assert services["memcache"]["image"] == local["MEMCACHED_IMAGE"]
    assert services["nginx"]["image"] == local["NGINX_IMAGE"]
    for name in ("api", "web", "worker", "migrate"):
        assert services[name]["build"]["args"]["PYTHON_IMAGE"] == local["PYTHON_IMAGE"]
