"""Seed the eligibility profiles (pmi, us, who) and the deferral-reason catalogue."""

from django.db import migrations

from dblood.donors.catalogue import PROFILES, catalogue_ensure


def seed(apps, schema_editor):
    catalogue_ensure(
        profile_model=apps.get_model("donors", "EligibilityProfile"),
        reason_model=apps.get_model("donors", "DeferralReason"),
    )


def unseed(apps, schema_editor):
    apps.get_model("donors", "EligibilityProfile").objects.filter(code__in=[p["code"] for p in PROFILES]).delete()


class Migration(migrations.Migration):
    dependencies = [("donors", "0002_eligibility_profile")]

    operations = [migrations.RunPython(seed, unseed)]
