"""deploy/kubernetes: each overlay rendered by the real kubectl kustomize, every object checked
against the Kubernetes schemas (kubernetes-validate) and by checkov, and the manifests read back:
hardened pods, probes, autoscaling, the README's configuration table, the nginx routes.

The tools are test dependencies (requirements-dev.txt; checkov in .venv-checkov,
requirements-checkov.txt): a missing one fails these tests, it never skips them.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .deployhelpers import DEPLOY, ROOT

KUBE = DEPLOY / "kubernetes"
OVERLAYS = ("small", "national")
BIN = Path(sys.executable).parent
# Kinds no Kubernetes schema covers, each with why it is not schema-checked here.
SCHEMALESS = {
    ("postgresql.cnpg.io/v1", "Cluster"): "CloudNativePG's CRD; its schema ships with the operator, "
    "not with kubernetes-validate, and no cluster is reachable offline to read it",
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): "CloudNativePG's CRD, as Cluster",
}
APP_PODS = ("api", "web", "worker", "migrate")


def _tool(name: str, *candidates: Path) -> str:
    for path in (*candidates, BIN / name):
        if path.exists():
            return str(path)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(f"{name} is not installed: `make venv checkov-venv` (requirements-dev.txt, requirements-checkov.txt)")


def _checkov() -> str:
    return _tool("checkov", Path(os.environ.get("CHECKOV", "/nonexistent")), ROOT / ".venv-checkov" / "bin" / "checkov")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """overlay -> the file `kubectl kustomize` rendered (the command fails the test on any error)."""
    kubectl = _tool("kubectl")
    out = tmp_path_factory.mktemp("kustomize")
    files = {}
    for overlay in OVERLAYS:
        result = subprocess.run(
            [kubectl, "kustomize", str(KUBE / "overlays" / overlay)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, f"kubectl kustomize overlays/{overlay}:\n{result.stderr}"
        files[overlay] = out / f"{overlay}.yaml"
        files[overlay].write_text(result.stdout)
    return files


@pytest.fixture(scope="module")
def objects(rendered) -> dict[str, list[dict]]:
    return {overlay: [doc for doc in yaml.safe_load_all(path.read_text()) if doc] for overlay, path in rendered.items()}


@pytest.fixture(scope="module")
def checkov_failures(rendered) -> dict[str, set[tuple[str, str]]]:
    """overlay -> {(check id, resource)} that checkov failed; one checkov run per overlay."""
    checkov = _checkov()
    failures = {}
    for overlay, path in rendered.items():
        # --skip-download: offline, no policy metadata from the vendor's service.
        result = subprocess.run(
            [checkov, "-f", str(path), "--framework", "kubernetes", "--skip-download", "--quiet", "-o", "json"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode in (0, 1), f"checkov on {overlay}:\n{result.stderr}"
        reports = json.loads(result.stdout)
        reports = reports if isinstance(reports, list) else [reports]
        assert reports and all(r["summary"]["parsing_errors"] == 0 for r in reports), result.stdout[:2000]
        assert sum(r["summary"]["passed"] for r in reports) > 100, "checkov checked almost nothing"
        failures[overlay] = {
            (check["check_id"], check["resource"]) for r in reports for check in r["results"]["failed_checks"]
        }
    return failures


def _find(docs: list[dict], kind: str, name: str) -> dict:
    matches = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(matches) == 1, f"{kind}/{name}: {len(matches)} objects"
    return matches[0]


def _pod_specs(docs: list[dict]) -> dict[str, dict]:
    """workload name -> its pod spec (Deployment, StatefulSet, Job)."""
    return {
        d["metadata"]["name"]: d["spec"]["template"]["spec"]
        for d in docs
        if d["kind"] in ("Deployment", "StatefulSet", "Job", "DaemonSet")
    }


def _containers(spec: dict) -> list[dict]:
    return spec.get("initContainers", []) + spec["containers"]


def _readme_settings() -> dict[str, bool]:
    """Each variable of the README's configuration table -> whether it is the web's alone."""
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    settings = {}
    for row in re.findall(r"^\| (`[A-Z_]+`.*)$", section, re.M):
        name_cell, _default, meaning = (cell.strip() for cell in row.split(" | ")[:3])
        if meaning.startswith(("compose", "build argument")):
            continue  # how compose or the image build is told things (base images): not an app setting
        for name in re.findall(r"`([A-Z_]+)`", name_cell):
            settings[name] = meaning.startswith("web:")
    assert len(settings) > 40, "the README's configuration table was not found"
    return settings


# --- the tools --------------------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_passes_the_kubernetes_schemas(rendered, objects, overlay):
    result = subprocess.run(
        [_tool("kubernetes-validate"), "--strict", str(rendered[overlay])], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    passed = [line for line in lines if line.startswith("INFO") and " passed " in line]
    unchecked = {
        (m[2], m[1]) for m in (re.search(r"schema for kind (\S+) with api version (\S+)", line) for line in lines) if m
    }
    others = [line for line in lines if line not in passed and not re.search(r"Couldn't find schema for kind", line)]
    assert others == [], "kubernetes-validate reported:\n" + "\n".join(others)
    assert unchecked <= set(SCHEMALESS), f"objects without a schema and without a reason: {unchecked - set(SCHEMALESS)}"
    schemaless = sum((d["apiVersion"], d["kind"]) in SCHEMALESS for d in objects[overlay])
    assert len(passed) == len(objects[overlay]) - schemaless


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_checkov_fails_nothing_that_the_skip_list_does_not_explain(checkov_failures, overlay):
    skips = yaml.safe_load((KUBE / "checkov-skips.yaml").read_text())
    allowed = set()
    for skip in skips:
        assert skip["check"].startswith("CKV") and len(skip["reason"]) > 40, f"a skip needs a real reason: {skip}"
        resources = (r.split("/") for r in skip["resources"])
        allowed |= {(skip["check"], f"{kind}.dblood.{name}") for kind, name in resources}
    unexplained = checkov_failures[overlay] - allowed
    assert unexplained == set(), f"checkov failed, and checkov-skips.yaml does not say why: {sorted(unexplained)}"


def test_the_checkov_skip_list_has_no_stale_entry(checkov_failures):
    skips = yaml.safe_load((KUBE / "checkov-skips.yaml").read_text())
    failed = set().union(*checkov_failures.values())
    for skip in skips:
        for resource in skip["resources"]:
            kind, name = resource.split("/")
            assert (skip["check"], f"{kind}.dblood.{name}") in failed, f"{skip['check']} {resource} passes now: drop it"


# --- what the manifests say -------------------------------------------------------------------


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_is_hardened(objects, overlay):
    for name, spec in _pod_specs(objects[overlay]).items():
        security = spec["securityContext"]
        assert security["runAsNonRoot"] is True, name
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        if name in APP_PODS:
            assert (security["runAsUser"], security["runAsGroup"]) == (10001, 10001), name
        writes_tmp = name != "memcached"  # memcached writes no file at all
        tmp = [v for v in spec.get("volumes", []) if v["name"] == "tmp"]
        assert not writes_tmp or (tmp and "emptyDir" in tmp[0]), f"{name}: no emptyDir for /tmp"
        for container in _containers(spec):
            where = f"{name}/{container['name']}"
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), where
            assert {"cpu", "memory"} <= set(container["resources"]["limits"]), where
            assert not writes_tmp or {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"], where
            # Secrets only as files: nothing reads a Secret into an environment variable.
            assert all("secretKeyRef" not in e.get("valueFrom", {}) for e in container.get("env", [])), where
            assert all("secretRef" not in e for e in container.get("envFrom", [])), where


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_api_and_web_have_probes_spread_autoscaling_and_disruption_budgets(objects, overlay):
    docs = objects[overlay]
    for name, ready in (("api", "/readyz"), ("web", "/healthz")):
        spec = _find(docs, "Deployment", name)["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        # The web has no /readyz: it must stay up to show its "back shortly" page while the api is away.
        assert container["readinessProbe"]["httpGet"]["path"] == ready
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            headers = {h["name"]: h["value"] for h in container[probe]["httpGet"]["httpHeaders"]}
            config = _find(docs, "ConfigMap", f"dblood-{name}")["data"]
            assert headers["Host"] in config["ALLOWED_HOSTS"].split(","), f"{name} {probe}: Django refuses the Host"
            assert headers["X-Forwarded-Proto"] == "https"
        keys = {c["topologyKey"] for c in spec["topologySpreadConstraints"]}
        assert keys == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}
        hpa = _find(docs, "HorizontalPodAutoscaler", name)["spec"]
        assert hpa["scaleTargetRef"]["name"] == name and 2 <= hpa["minReplicas"] < hpa["maxReplicas"]
        assert "replicas" not in _find(docs, "Deployment", name)["spec"], "the HPA owns replicas"
        pdb = _find(docs, "PodDisruptionBudget", name)["spec"]
        assert pdb["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
        assert _find(docs, "Service", name)["spec"]["selector"] == {"app.kubernetes.io/name": name}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_worker_migrate_and_apps_run_what_compose_runs(objects, overlay):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    specs = _pod_specs(objects[overlay])
    assert specs["worker"]["containers"][0]["command"] == compose["worker"]["command"]
    assert specs["migrate"]["containers"][0]["command"] == compose["migrate"]["command"]
    assert _find(objects[overlay], "Job", "migrate")["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # New api and worker pods wait for the migrate Job: `migrate --check` fails while any is unapplied.
    for name in ("api", "worker"):
        (init,) = specs[name]["initContainers"]
        assert init["command"] == ["python", "manage.py", "migrate", "--check", "--noinput"]
        assert init["image"] == specs[name]["containers"][0]["image"] == specs["migrate"]["containers"][0]["image"]
    for name, wsgi in (("api", "dblood.wsgi"), ("web", "dblood_web.wsgi")):
        assert specs[name]["containers"][0]["command"] == ["gunicorn", "--config", "/etc/dblood/gunicorn.conf.py", wsgi]
    assert _find(objects[overlay], "StatefulSet", "memcached")["spec"]["serviceName"] == "memcached"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_come_from_the_overlay_with_an_exact_tag(objects, overlay):
    kustomization = yaml.safe_load((KUBE / "overlays" / overlay / "kustomization.yaml").read_text())
    placeholders = {"dblood-api", "dblood-web", "memcached", "nginx-unprivileged"}
    assert {i["name"] for i in kustomization["images"]} == placeholders
    for spec in _pod_specs(objects[overlay]).values():
        for container in _containers(spec):
            image = container["image"]
            assert re.fullmatch(r"[a-z0-9./-]+:[A-Za-z0-9._-]+", image), f"no exact tag: {image}"
            assert not image.endswith(":latest"), image
            assert image.split(":")[0] not in placeholders - {"memcached"}, f"placeholder: {image}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_readme_setting_is_in_the_config_maps_and_nothing_else_is(objects, overlay):
    settings = _readme_settings()
    api = _find(objects[overlay], "ConfigMap", "dblood-api")["data"]
    web = _find(objects[overlay], "ConfigMap", "dblood-web")["data"]

    def names(data):
        return {key.removesuffix("_FILE") if key.removesuffix("_FILE") in settings else key for key in data}

    assert names(api) - set(settings) == set(), "api ConfigMap keys the README's table does not document"
    assert names(web) - set(settings) == set(), "web ConfigMap keys the README's table does not document"
    assert {n for n, web_only in settings.items() if not web_only} - names(api) == set(), "missing for the api"
    assert {n for n, web_only in settings.items() if web_only} - names(web) == set(), "missing for the web"
    assert {n for n, web_only in settings.items() if web_only} & names(api) == set(), "web settings given to the api"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_secret_file_named_in_a_config_map_is_mounted(objects, overlay):
    docs = objects[overlay]
    for name, spec in _pod_specs(docs).items():
        for container in _containers(spec):
            for ref in container.get("envFrom", []):
                data = _find(docs, "ConfigMap", ref["configMapRef"]["name"])["data"]
                wanted = {v for k, v in data.items() if k.endswith("_FILE")}
                mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
                files = {
                    f"{mounts[v['name']]}/{item['path']}"
                    for v in spec["volumes"]
                    if v["name"] in mounts and "projected" in v
                    for source in v["projected"]["sources"]
                    for item in source["secret"]["items"]
                }
                assert wanted <= files, f"{name}/{container['name']}: {wanted - files} not mounted"


def _secret_keys(spec: dict) -> set[tuple[str, str]]:
    """(Secret, key) pairs a pod spec can read, however it reads them: a secret volume, a projected
    volume's sources, an environment variable or a whole Secret as environment (key "*")."""
    found = set()
    for volume in spec.get("volumes", []):
        sources = [volume] + volume.get("projected", {}).get("sources", [])
        for source in sources:
            secret = source.get("secret")
            if secret:
                name = secret.get("secretName") or secret.get("name")
                items = secret.get("items") or [{"key": "*"}]
                found |= {(name, item["key"]) for item in items}
    for container in _containers(spec):
        for env in container.get("env", []):
            ref = env.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                found.add((ref["name"], ref["key"]))
        found |= {(ref["secretRef"]["name"], "*") for ref in container.get("envFrom", []) if "secretRef" in ref}
    return found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_web_receives_the_webs_cookie_signing_key(objects, overlay):
    """The web's SECRET_KEY signs its session cookies: a leak from the api, the worker or the
    migrations (which never need it) would let whoever holds it forge a web session. The web's key
    is the dblood-web Secret's, not the api's."""
    readers = {name: _secret_keys(spec) for name, spec in _pod_specs(objects[overlay]).items()}
    assert {name for name, keys in readers.items() if any(secret == "dblood-web" for secret, _ in keys)} == {"web"}
    assert ("dblood-web", "SECRET_KEY") in readers["web"]
    assert not {("dblood-api", "SECRET_KEY"), ("dblood-api", "*")} & readers["web"], "the api's key given to the web"
    for name in ("api", "worker", "migrate"):
        assert ("dblood-api", "SECRET_KEY") in readers[name], name


def _nginx_locations() -> dict[str, tuple[str, str, bool]]:
    """deploy/nginx/dblood.conf: location path -> (where it goes: web, api, static, media or 404,
    Exact or Prefix, whether it is rate-limited)."""
    # ${DBLOOD_...} placeholders as bare names: a block's body then has no braces.
    conf = re.sub(r"\$\{(\w+)\}", r"\1", (DEPLOY / "nginx" / "dblood.conf").read_text())
    routes = {}
    for match in re.finditer(r"location\s+(?:(=|\^~)\s+)?(\S+)\s*\{([^{}]*)\}", conf):
        modifier, path, body = match.groups()
        if "internal;" in body or path == "/_nginx/health":
            continue  # nginx's own error pages and health: nothing of the apps
        if "proxy_pass http://dblood_web" in body:
            target = "web"
        elif "proxy_pass http://dblood_api" in body:
            target = "api"
        elif "return 404" in body:
            target = "404"
        elif "DBLOOD_STATIC_DIR" in body:
            target = "static"
        elif "DBLOOD_MEDIA_DIR" in body:
            target = "media"
        else:
            raise AssertionError(f"nginx location {path} is new to this test")
        routes[path] = (target, "Exact" if modifier == "=" else "Prefix", "limit_req " in body)
    return routes


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_ingress_has_the_routes_of_the_nginx_config(objects, overlay):
    ingresses = [d for d in objects[overlay] if d["kind"] == "Ingress"]
    paths = {
        p["path"]: (p["pathType"], p["backend"]["service"]["name"], ing["metadata"]["name"])
        for ing in ingresses
        for rule in ing["spec"]["rules"]
        for p in rule["http"]["paths"]
    }
    nginx = _nginx_locations()
    expected_service = {"web": "web", "api": "api", "media": "media", "404": "media", "static": "api"}
    for path, (target, path_type, limited) in nginx.items():
        assert path in paths, f"nginx routes {path}; the Ingress does not"
        assert paths[path][:2] == (path_type, expected_service[target]), f"{path}: {paths[path]}, nginx: {target}"
        # The rate-limited paths are the ones of the Ingress with the limit annotations.
        assert (paths[path][2] == "dblood-auth") == limited, f"{path}: rate limit differs from nginx"
    # The web's own static files, collected under /static/dblood_web/, come from the web's pods.
    assert paths.pop("/static/dblood_web/") == ("Prefix", "web", "dblood")
    assert set(paths) == set(nginx), "Ingress paths nginx does not have"
    # The media nginx answers only /media/ and its own health; the apps' probes get a 404.
    media_conf = _find(objects[overlay], "ConfigMap", "media-nginx")["data"]["nginx.conf"]
    assert "location / { return 404; }" in media_conf and "alias /data/media/;" in media_conf
    assert "sandbox" in media_conf
    auth = _find(objects[overlay], "Ingress", "dblood-auth")["metadata"]["annotations"]
    assert auth["nginx.ingress.kubernetes.io/limit-rps"] == "5"
    for ing in ingresses:
        assert ing["spec"]["tls"], "TLS ends at the Ingress"
        assert ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "10m"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_media_is_one_read_write_many_volume_that_only_the_api_side_writes(objects, overlay):
    docs = objects[overlay]
    assert _find(docs, "PersistentVolumeClaim", "media")["spec"]["accessModes"] == ["ReadWriteMany"]
    for name, spec in _pod_specs(docs).items():
        claims = [v for v in spec.get("volumes", []) if "persistentVolumeClaim" in v]
        if name in ("api", "worker"):
            assert claims and not claims[0]["persistentVolumeClaim"].get("readOnly")
        elif name == "media":
            assert claims[0]["persistentVolumeClaim"]["readOnly"] is True
        else:
            assert claims == [], f"{name} mounts {claims}"


def test_small_uses_an_external_database_and_national_a_cloudnativepg_cluster_with_backups(objects):
    small, national = objects["small"], objects["national"]
    assert not [d for d in small if d["apiVersion"].startswith("postgresql.cnpg.io")]

    def database_secret(docs):
        spec = _pod_specs(docs)["api"]
        (secrets,) = [v for v in spec["volumes"] if v["name"] == "secrets"]
        return [
            (s["secret"]["name"], item["key"])
            for s in secrets["projected"]["sources"]
            for item in s["secret"]["items"]
            if item["path"] == "DATABASE_URL"
        ]

    assert database_secret(small) == [("dblood-database", "DATABASE_URL")]
    cluster = _find(national, "Cluster", "dblood-db")["spec"]
    assert cluster["instances"] >= 3
    assert cluster["backup"]["barmanObjectStore"]["destinationPath"].startswith("s3://")
    assert cluster["backup"]["retentionPolicy"]
    assert _find(national, "ScheduledBackup", "dblood-db-nightly")["spec"]["cluster"]["name"] == "dblood-db"
    # CloudNativePG writes the app's credentials to <cluster>-app; every database client mounts it.
    assert database_secret(national) == [("dblood-db-app", "uri")]
    # The connection budget: api pods x gunicorn workers + the workers stay under max_connections.
    config = _find(national, "ConfigMap", "dblood-api")["data"]
    budget = _find(national, "HorizontalPodAutoscaler", "api")["spec"]["maxReplicas"] * int(config["GUNICORN_WORKERS"])
    budget += _find(national, "Deployment", "worker")["spec"]["replicas"] + 1  # + the migrate Job
    assert budget <= int(cluster["postgresql"]["parameters"]["max_connections"]) * 0.75


def test_the_readme_connection_budget_is_the_manifests(objects):
    """README "Beyond one machine": each overlay's row of the connection table, from the manifests."""
    text = (ROOT / "README.md").read_text()
    for overlay in OVERLAYS:
        docs = objects[overlay]
        row = re.search(rf"^\| Kubernetes `{overlay}` \| (\d+) pods x (\d+) \| (.*?) \| (\d+) \| (.*?) \|$", text, re.M)
        assert row, f"the README's connection table has no {overlay} row"
        pods, workers, others, total = int(row[1]), int(row[2]), row[3], int(row[4])
        hpa = _find(docs, "HorizontalPodAutoscaler", "api")["spec"]
        api = _find(docs, "Deployment", "api")["spec"]
        config = _find(docs, "ConfigMap", "dblood-api")["data"]
        replicas = _find(docs, "Deployment", "worker")["spec"]["replicas"]
        surge = -(-pods * int(api["strategy"]["rollingUpdate"]["maxSurge"].rstrip("%")) // 100)
        assert (pods, workers) == (hpa["maxReplicas"], int(config["GUNICORN_WORKERS"]))
        assert re.search(rf"workers? {replicas}\b", others) and f"surge {surge} pod" in others
        assert total == pods * workers + replicas + 1 + surge * workers
        if overlay == "national":
            cluster = _find(docs, "Cluster", "dblood-db")["spec"]
            assert row[5].split()[0] == cluster["postgresql"]["parameters"]["max_connections"]
