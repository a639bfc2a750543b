# dblood: `make run` serves the system on embedded defaults, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-prod.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: help venv run run-api test lint format migrations-check

help:
	@echo "make run    - api on :8080, web on :8000 and the worker (SQLite, demo data); Ctrl-C stops all"
	@echo "make test   - lint, migrations check and the whole suite (real PostgreSQL)"

$(STAMP): requirements.txt requirements-prod.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

run: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	$(BIN)/python scripts/run_dev.py

run-api: venv
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo
	$(BIN)/python manage.py runserver 127.0.0.1:8080

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: venv
	DJANGO_SETTINGS_MODULE=dblood.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

test: lint migrations-check
	$(BIN)/pytest

# Donations and inventory: mark units past their expiry (idempotent; cron or the worker runs it).
.PHONY: expire-units
expire-units: venv
	$(BIN)/python manage.py expire_units

# Requests, call-outs and notifications: compile translations (.po -> .mo, committed; a test checks they agree)
# and run the background worker's due work.
.PHONY: messages run-due-work worker
messages:
	find dblood -name django.po -path '*/LC_MESSAGES/*' -exec sh -c 'msgfmt --check -o "$${1%.po}.mo" "$$1"' _ {} \;

run-due-work: venv
	$(BIN)/python manage.py run_due_work

worker: venv
	$(BIN)/python manage.py worker

# --- Reliability and security -------------------------------------------------------------------
.PHONY: audit
# Known vulnerabilities in the production set. Needs PyPI's advisory service (pypi.org/pypi/.../json);
# without it pip-audit fails, and so does this target: no network is not "no vulnerability".
audit: venv
	$(BIN)/pip-audit --strict --progress-spinner off --vulnerability-service pypi -r requirements-prod.txt \
		|| { echo "make audit: FAILED: a known vulnerability above, or PyPI's advisory data unreachable ('could not be audited')" >&2; exit 1; }

# The web (dblood_web): its tests run in their own pytest process with the web's settings
# (tests/web/pytest.ini); browser tests there start real api and web processes and Chromium.
.PHONY: test-web web-messages run-web
test-web: venv tests/web/node_modules/.package-lock.json
	cd tests/web && ../../$(BIN)/pytest

# axe-core for the browser tests' accessibility check, from the npm registry at the locked version.
tests/web/node_modules/.package-lock.json: tests/web/package.json tests/web/package-lock.json
	npm ci --prefix tests/web --no-audit --no-fund

test: test-web

web-messages: venv
	cd dblood_web && ../$(BIN)/python ../manage_web.py makemessages -l id --no-obsolete
	cd dblood_web && ../$(BIN)/python ../manage_web.py compilemessages

run-web: venv
	DBLOOD_API_PUBLIC_URL=$${DBLOOD_API_PUBLIC_URL-http://127.0.0.1:8080} $(BIN)/python manage_web.py runserver 127.0.0.1:8000

# The README's phone screenshots (docs/screenshots/): demo data on SQLite, api and web on free ports, Chromium at 360 px.
.PHONY: screenshots
screenshots: venv
	$(BIN)/python scripts/screenshots.py

# --- containers ---
.PHONY: image-report compose-check stack-test

label-image: venv  ## docs/label.png, the README's example label, rendered and read back with zbar
	$(BIN)/python scripts/label_image.py

image-report: venv  ## estimated final size of each image, without a container engine
	$(BIN)/python scripts/image_report.py

stack-test: venv  ## both images built and the compose stack run in podman (tests/stack/stack_test.py)
	$(BIN)/python tests/stack/stack_test.py

compose-check: venv  ## docker-compose.yml validated by the real Compose binary (needs .env)
	$$($(BIN)/python -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/compose/docker-compose -f docker-compose.yml config -q

# Kubernetes (deploy/kubernetes/): tests/deploy/test_kubernetes.py renders each overlay with kubectl
# kustomize, validates it against the schemas and runs checkov, from its own virtualenv (its pins
# conflict with the dev tools': requirements-checkov.txt). `make test` builds it first.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(shell cksum < requirements-checkov.txt | cut -d' ' -f1)
.PHONY: checkov-venv kube-check

$(CHECKOV_STAMP): requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@rm -f $(CHECKOV_VENV)/.installed-*
	@touch $@

checkov-venv: $(CHECKOV_STAMP)

kube-check: venv checkov-venv  ## the Kubernetes manifests: render, schemas, checkov
	$(BIN)/pytest -q -p no:cacheprovider tests/deploy/test_kubernetes.py

test: checkov-venv

# Benchmarks (bench/): seed PostgreSQL, serve with gunicorn + memcached, load with wrk, write
# bench/RESULTS.md with charts. Never part of `make test`. Needs wrk, postgresql, memcached.
.PHONY: bench bench-quick

bench: venv
	$(BIN)/pytest -q -p no:cacheprovider bench/tests
	$(BIN)/python -m bench run

bench-quick: venv
	$(BIN)/pytest -q -p no:cacheprovider bench/tests
	$(BIN)/python -m bench run --quick

# Reports (bench/reports.py): each report's national monthly query at 10k, 100k and 1M donors,
# with a COUNT(*) baseline; writes the "## Reports" section of bench/RESULTS.md. Needs postgresql.
.PHONY: bench-reports
bench-reports: venv
	$(BIN)/python -m bench reports $(REPORTS_ARGS)

# Soak (bench/soak.py): 64 clients for 5 minutes through nginx on the production topology
# (tests/deploy/stack.py), then no 5xx, no lost write, worker memory stable. Never in `make test`.
# A short try: make bench-soak SOAK_ARGS="--duration 30 --clients 16 --donors 32"
.PHONY: bench-soak
SOAK_ARGS ?=
bench-soak: venv
	$(BIN)/python -m bench.soak $(SOAK_ARGS)
