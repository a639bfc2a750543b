"""Likely duplicate donors are found where records are made (the donor's profile after sign-up, a
walk-in, the admin) and listed for bank staff and admins."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from dblood.donors.duplicates import name_score
from dblood.donors.models import Donor, DuplicatePair
from dblood.donors.tests.factories import make_donor
from dblood.drives.appointments import appointment_book
from dblood.drives.tests.factories import make_drive
from testing.personas import make_user


@pytest.mark.parametrize(
    "a, b",
    [("Siti Nurhaliza", "NURHALIZA, Siti"), ("Siti Nurhaliza", "Sïti Nurhalisa"), ("Muhammad Rizki", "Muhamad Rizky")],
)
def test_similar_names_score_above_the_threshold(settings, a, b):
    assert name_score(a, b) >= settings.DUPLICATE_NAME_SCORE


@pytest.mark.parametrize("a, b", [("Siti Nurhaliza", "Dewi Lestari"), ("Budi Santoso", "Budi Hartono")])
def test_different_names_do_not(settings, a, b):
    assert name_score(a, b) < settings.DUPLICATE_NAME_SCORE


def _person(email: str, name: str, **profile) -> Donor:
    user = make_user(email)
    user.full_name = name
    user.save()
    return make_donor(user, **{"birth_date": date(1990, 5, 1), "sex": "F", **profile})


def test_completing_the_profile_after_sign_up_finds_the_earlier_record(api, donor):
    earlier = _person("siti@example.org", "Siti Nurhaliza")
    _person("other-day@example.org", "Siti Nurhaliza", birth_date=date(1990, 5, 2))
    _person("man@example.org", "Siti Nurhaliza", sex="M")
    response = api(donor).patch(
        "/api/v1/donors/me", {"full_name": "Siti Nurhalisa", "birth_date": "1990-05-01", "sex": "F"}
    )
    assert response.status_code == 200, response.json()
    mine = Donor.objects.get(user=donor)
    pair = DuplicatePair.objects.get()
    assert {pair.first_id, pair.second_id} == {earlier.pk, mine.pk}
    assert pair.reason == "name" and pair.found_via == "profile" and pair.score >= 88
    # Saving again finds the same pair: still one row.
    api(donor).patch("/api/v1/donors/me", {"sex": "F"})
    assert DuplicatePair.objects.count() == 1


def test_a_walk_in_finds_the_record_the_donor_forgot(api, staff_a, bank_a):
    earlier = _person("budi@example.org", "Budi Santoso", sex="M", birth_date=date(1985, 3, 9))
    drive = make_drive(bank_a, days_ahead=3)
    target = timezone.make_aware(datetime.combine(drive.date, time(8, 40)))
    body = {
        "email": "budi.new@example.org",
        "full_name": "budi santoso",
        "birth_date": "1985-03-09",
        "sex": "M",
        "weight_kg": "70",
        "donation_type": "whole_blood",
    }
    with time_machine.travel(target - timezone.now()):
        response = api(staff_a).post(f"/api/v1/drives/{drive.pk}/walk-ins", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["likely_duplicates"] == 1
    pair = DuplicatePair.objects.get()
    assert pair.found_via == "walk_in" and earlier.pk in {pair.first_id, pair.second_id}


def test_a_record_saved_in_the_admin_is_compared_too(client, admin_user):
    earlier = _person("ani@example.org", "Ani Wijaya")
    later = _person("ani2@example.org", "Ani Wijaya", birth_date=date(1991, 1, 1))
    client.force_login(admin_user)
    url = reverse("admin:donors_donor_change", args=[later.pk])
    form = client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(birth_date="1990-05-01", notify_channels="[]")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    pair = DuplicatePair.objects.get()
    assert pair.found_via == "admin" and {pair.first_id, pair.second_id} == {earlier.pk, later.pk}


def test_staff_see_the_pairs_with_a_record_of_theirs_and_no_health_data(
    api, staff_a, staff_b, hospital_user, donor, bank_a, django_assert_max_num_queries
):
    seen = _person("seen@example.org", "Rina Kartika")
    appointment_book(donor=seen, slot_id=make_drive(bank_a).slots.first().pk)
    for index in range(3):
        twin = _person(f"twin{index}@example.org", "Rina Kartika")
        DuplicatePair.objects.create(first_id=seen.pk, second_id=twin.pk, reason="name", score=100, found_via="profile")
    client = api(staff_a)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/donor-duplicates")
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 3
    record = results[0]["first"]
    assert set(record) == {
        "id", "donor_number", "full_name", "birth_date", "sex", "nik_masked", "nik_verified", "donations", "created_at"
    }  # fmt: skip
    assert api(staff_b).get("/api/v1/donor-duplicates").json()["results"] == []
    assert api(hospital_user).get("/api/v1/donor-duplicates").status_code == 403
    assert api(donor).get("/api/v1/donor-duplicates").status_code == 403
