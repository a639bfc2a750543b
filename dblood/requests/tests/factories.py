"""A hospital's blood request for tests: A+ patient, PRC, needed in six hours, unless overridden."""

from datetime import timedelta

from django.utils import timezone

from dblood.requests.models import BloodRequest


def make_blood_request(*, hospital, target_bank, created_by, **fields) -> BloodRequest:
    defaults = dict(
        patient_abo="A",
        patient_rhd="+",
        component="PRC",
        units=2,
        needed_by=timezone.now() + timedelta(hours=6),
    )
    defaults.update(fields)
    return BloodRequest.objects.create(hospital=hospital, target_bank=target_bank, created_by=created_by, **defaults)
