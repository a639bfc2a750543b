"""The demo has a request in every state, a call-out with answers, and an inbox for the demo donor."""

import pytest

from dblood.core.demodata import demo_loaders
from dblood.notifications.models import Notification
from dblood.requests.models import BloodRequest, CallOut


@pytest.mark.django_db
def test_demo_is_complete_and_idempotent():
    for _ in range(2):
        for _label, load in demo_loaders():
            load()
    assert set(BloodRequest.objects.values_list("status", flat=True)) == set(BloodRequest.Status.values)
    call_out = CallOut.objects.get()
    answers = sorted(call_out.responses.values_list("answer", flat=True))
    assert answers == ["cant", "coming", "coming"]
    kinds = set(Notification.objects.filter(user__email="donor@dblood.local").values_list("kind", flat=True))
    assert {"unit_issued", "call_out", "eligible_again", "recruitment"} <= kinds
