# syntax=docker/dockerfile:1.7
# dblood: one Dockerfile, two images.
#
#   docker build --target api -t dblood/api .   # gunicorn dblood.wsgi      (api, worker, migrate)
#   docker build --target web -t dblood/web .   # gunicorn dblood_web.wsgi  (people-facing site)
#
# Portable: no stage needs anything from its base image but `python`, `pip` and a POSIX shell
# (no package manager, no adduser): every production dependency is a binary wheel, and the
# translations are the committed .mo files (`make messages`; a test checks they match the .po).
# The base is a build argument: any CPython 3.11 image with pip, e.g.
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm --target api .
#
# Stages: builder (downloads every wheel of requirements-prod.txt)
#   -> venv-api / venv-web (a virtualenv per image, installed from those wheels, trimmed)
#   -> slim-api / slim-web (the same virtualenv without the packages' static folders)
#   -> app-api / app-web (source + committed messages + collected static files)
#   -> runtime (the base + the dblood user, folders, environment and healthcheck both images share)
#   -> api / web (runtime + the slim virtualenv + the app; no wheel, no pip run).
# Requirement files are copied before any source, so a source change rebuilds only app-* and the
# last layer of api/web; `make image-report` estimates the final sizes without an engine.
ARG PYTHON_IMAGE=python:3.11-alpine3.23

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS builder
WORKDIR /build
COPY requirements.txt requirements-prod.txt ./
# Binary wheels only: no compiler is needed (or present) in any stage.
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --disable-pip-version-check --only-binary=:all: --wheel-dir /wheels -r requirements-prod.txt
COPY deploy/requirements-web.txt deploy/trim.py ./

# ---------------------------------------------------------------------------------------------
FROM builder AS venv-api
# A virtualenv without pip: pip (already in the base image) installs into it from the wheels.
RUN python -m venv --without-pip /opt/venv \
    && pip --python /opt/venv/bin/python install --disable-pip-version-check --no-cache-dir \
        --no-index --find-links /wheels --no-compile -r requirements-prod.txt \
    && python trim.py site-packages /opt/venv/lib/python3.11/site-packages

FROM venv-api AS slim-api
RUN python trim.py site-packages /opt/venv/lib/python3.11/site-packages --drop-static

FROM builder AS venv-web
# The web needs a subset of the production pins (deploy/requirements-web.txt says which).
RUN python -m venv --without-pip /opt/venv \
    && pip --python /opt/venv/bin/python install --disable-pip-version-check --no-cache-dir \
        --no-index --find-links /wheels --no-compile -r requirements-web.txt \
    && python trim.py site-packages /opt/venv/lib/python3.11/site-packages

FROM venv-web AS slim-web
RUN python trim.py site-packages /opt/venv/lib/python3.11/site-packages --drop-static

# ---------------------------------------------------------------------------------------------
FROM venv-api AS app-api
WORKDIR /app
COPY manage.py ./
COPY dblood ./dblood
# Build-time values only: production settings refuse to load without their keys and hosts.
ENV DJANGO_SETTINGS_MODULE=dblood.settings.production \
    STATIC_ROOT=/app/staticfiles \
    PATH=/opt/venv/bin:$PATH
RUN SECRET_KEY=build-only ALLOWED_HOSTS=build.invalid NIK_ENCRYPTION_KEYS=build-only NIK_HASH_KEY=build-only \
    python manage.py collectstatic --noinput \
    && python /build/trim.py static-root /app/staticfiles \
    && find /app -name __pycache__ -type d -prune -exec rm -rf {} +

FROM venv-web AS app-web
WORKDIR /app
COPY manage_web.py ./
COPY dblood_web ./dblood_web
ENV DJANGO_SETTINGS_MODULE=dblood_web.settings \
    STATIC_ROOT=/app/staticfiles \
    PATH=/opt/venv/bin:$PATH
# manage_web.py turns DEBUG on unless told otherwise; the image collects as production does.
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build.invalid python manage_web.py collectstatic --noinput \
    && python /build/trim.py static-root /app/staticfiles \
    && find /app -name __pycache__ -type d -prune -exec rm -rf {} +

# ---------------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
# One numeric user for every dblood image, written with the shell alone (no adduser in every
# base); media and the static export are the only places it may write.
RUN echo "dblood:x:10001:10001:dblood:/app:/sbin/nologin" >> /etc/passwd \
    && echo "dblood:x:10001:" >> /etc/group \
    && mkdir -p /data/media /data/static \
    && chown 10001:10001 /data/media /data/static
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    STATIC_ROOT=/app/staticfiles \
    MEDIA_ROOT=/data/media \
    GUNICORN_BIND=0.0.0.0:8000 \
    HEALTHCHECK_URL=http://127.0.0.1:8000/healthz
COPY deploy/gunicorn.conf.py deploy/healthcheck.py /etc/dblood/
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/etc/dblood/healthcheck.py"]

# ---------------------------------------------------------------------------------------------
FROM runtime AS api
ENV DJANGO_SETTINGS_MODULE=dblood.settings.production \
    DATABASE_URL=sqlite:////data/db.sqlite3
COPY --from=slim-api /opt/venv /opt/venv
COPY --from=app-api /app /app
CMD ["gunicorn", "--config", "/etc/dblood/gunicorn.conf.py", "dblood.wsgi"]

# ---------------------------------------------------------------------------------------------
FROM runtime AS web
ENV DJANGO_SETTINGS_MODULE=dblood_web.settings
COPY --from=slim-web /opt/venv /opt/venv
COPY --from=app-web /app /app
CMD ["gunicorn", "--config", "/etc/dblood/gunicorn.conf.py", "dblood_web.wsgi"]
