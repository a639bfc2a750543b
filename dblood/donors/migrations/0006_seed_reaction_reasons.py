"""Seed the deferral reasons a transfusion-reaction investigation records (trali-implicated, ...)."""

from django.db import migrations

from dblood.donors.catalogue import catalogue_ensure


def seed(apps, schema_editor):
    catalogue_ensure(
        profile_model=apps.get_model("donors", "EligibilityProfile"),
        reason_model=apps.get_model("donors", "DeferralReason"),
    )


class Migration(migrations.Migration):
    dependencies = [("donors", "0005_deferral_lift")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
