"""Seed the component-type table with docs/domain.md's defaults (component_defaults.DEFAULTS)."""

from django.db import migrations

from dblood.inventory.component_defaults import DEFAULTS, component_types_seed


def seed(apps, schema_editor):
    component_types_seed(apps.get_model("inventory", "ComponentType"))


def unseed(apps, schema_editor):
    apps.get_model("inventory", "ComponentType").objects.filter(code__in=[row["code"] for row in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("inventory", "0007_component_type")]

    operations = [migrations.RunPython(seed, unseed)]
