import pytest

from dblood.accounts import demo as accounts_demo
from dblood.core.blood import BLOOD_GROUPS
from dblood.donors import demo as donors_demo
from dblood.donors.models import Deferral, Donor
from dblood.drives import demo as drives_demo
from dblood.drives.models import Appointment, Drive
from dblood.sites import demo as sites_demo

pytestmark = pytest.mark.django_db


def test_demo_donors_and_drives_are_varied_and_idempotent(api):
    accounts_demo.load()
    sites_demo.load()
    logins = donors_demo.load()
    drives_demo.load()
    counts = (Donor.objects.count(), Drive.objects.count(), Appointment.objects.count(), Deferral.objects.count())
    donors_demo.load()
    drives_demo.load()
    assert (Donor.objects.count(), Drive.objects.count(), Appointment.objects.count(), Deferral.objects.count()) == (
        counts
    )
    groups = {f"{d.abo}{d.rhd}" for d in Donor.objects.all()}
    assert set(BLOOD_GROUPS) <= groups
    assert len({d.province for d in Donor.objects.all()}) >= 5
    assert Drive.objects.values("organiser").distinct().count() == 6
    assert Deferral.objects.filter(permanent=True).exists() and Deferral.objects.filter(permanent=False).exists()
    demo_donor = Donor.objects.get(user__email="donor@dblood.local")
    assert demo_donor.appointments.filter(status="booked").exists()
    for _role, email, password in logins:
        assert api().post("/api/v1/auth/login", {"email": email, "password": password}).status_code == 200
    # The demo shows both kinds of answer.
    from django.utils import timezone

    from dblood.donors.selectors import donor_eligibility

    answers = [
        donor_eligibility(donor=d, on=timezone.localdate()).for_type("whole_blood").eligible
        for d in Donor.objects.all()
    ]
    assert True in answers and False in answers
