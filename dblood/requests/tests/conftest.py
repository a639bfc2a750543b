from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.requests.models import BloodRequest


@pytest.fixture
def make_request(hospital, bank_a, hospital_user):
    def build(**fields) -> BloodRequest:
        defaults = dict(
            hospital=hospital,
            target_bank=bank_a,
            created_by=hospital_user,
            patient_abo="A",
            patient_rhd="+",
            component="PRC",
            units=2,
            needed_by=timezone.now() + timedelta(hours=6),
        )
        defaults.update(fields)
        return BloodRequest.objects.create(**defaults)

    return build
