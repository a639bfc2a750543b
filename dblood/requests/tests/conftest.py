import pytest

from dblood.requests.models import BloodRequest
from dblood.requests.tests.factories import make_blood_request


@pytest.fixture
def make_request(hospital, bank_a, hospital_user):
    def build(**fields) -> BloodRequest:
        values = {"hospital": hospital, "target_bank": bank_a, "created_by": hospital_user, **fields}
        return make_blood_request(**values)

    return build
