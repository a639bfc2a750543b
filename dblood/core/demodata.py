"""Demo data, assembled from each app's `demo.py` in INSTALLED_APPS order.

An app's `demo.py` defines `load() -> list[tuple[str, str, str]]`, idempotent (it may run any
number of times), returning the demo logins it made as (role, email, password).
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

DEMO_PASSWORD = "demo-pass-2026"


def demo_loaders():
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if config.name.startswith("dblood.") and find_spec(module_name):
            yield config.label, import_module(module_name).load
