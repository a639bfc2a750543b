"""No clinical value is implied: every clinical write names each clinical field, in JSON, form and multipart.

For each endpoint: the complete body is accepted in all three content types (so a refusal below is about
the field, not the body), and the body without the field, with it empty, or with an ambiguous value, is
a 400 naming the field and stores nothing.
"""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from dblood.donations.models import Donation, ScreeningResult
from dblood.donors.models import Deferral
from dblood.donors.tests.factories import make_donor as make_eligible_donor
from dblood.drives.models import Appointment
from dblood.drives.tests.factories import make_drive
from dblood.drives.tests.test_appointments_api import on_drive_day
from dblood.inventory.models import BloodUnit
from dblood.inventory.tests.factories import make_donation, make_donor, make_unit
from dblood.requests.models import Allocation, BloodRequest
from testing.personas import make_user

pytestmark = pytest.mark.django_db

CONTENT_TYPES = ["json", "form", "multipart"]
MISSING = object()


def _flat(body: dict) -> dict:
    """A JSON body as a form sends it: nested lists as components[0]component, dicts as answers.code."""
    out = {}
    for key, value in body.items():
        if isinstance(value, list):
            for index, item in enumerate(value):
                for sub, sub_value in item.items():
                    out[f"{key}[{index}]{sub}"] = sub_value
        elif isinstance(value, dict):
            for sub, sub_value in value.items():
                out[f"{key}.{sub}"] = sub_value
        else:
            out[key] = value
    return {k: ("true" if v is True else "false" if v is False else v) for k, v in out.items()}


def post(client, url, body, content):
    if content == "json":
        return client.post(url, body, format="json")
    if content == "form":
        return client.post(url, urlencode(_flat(body)), content_type="application/x-www-form-urlencoded")
    return client.post(url, _flat(body), format="multipart")


def _set(body: dict, path: str, value) -> dict:
    """A copy of body with path (a.b or a.0.b) set to value, or removed for MISSING."""
    import copy

    body = copy.deepcopy(body)
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if value is MISSING:
        del target[last]
    else:
        target[last] = value
    return body


class Case:
    def __init__(self, name, url, body, fields, stored, client="staff", around=None, json_only=False):
        self.name, self.url, self.body, self.fields, self.stored = name, url, body, fields, stored
        self.client, self.around, self.json_only = client, around, json_only


@pytest.fixture
def cases(bank_a, donor, staff_a, hospital, hospital_user, api):
    """Each clinical write: its url, a complete body, its clinical fields, and what it would store."""
    from contextlib import nullcontext

    profile = make_donor(donor, abo="A", rhd="+")
    donation = make_donation(site=bank_a, donor=profile)
    typed = lambda: Donation.objects.filter(pk=donation.pk, typed_abo="").exists() is False  # noqa: E731
    units = lambda: BloodUnit.objects.filter(donation=donation).count()  # noqa: E731
    blood_request = BloodRequest.objects.create(
        hospital=hospital,
        target_bank=bank_a,
        created_by=hospital_user,
        patient_abo="A",
        patient_rhd="+",
        component="PRC",
        units=1,
        status=BloodRequest.Status.ISSUED,
        needed_by=timezone.now() + timedelta(hours=6),
    )
    issued = make_unit(site=bank_a, abo="A", rhd="+", state=BloodUnit.State.ISSUED, issued_to=hospital)
    allocation = Allocation.objects.create(request=blood_request, unit=issued, status=Allocation.Status.ISSUED)
    booking_drive = make_drive(bank_a, days_ahead=7)
    today_drive = make_drive(bank_a, days_ahead=3)
    from dblood.drives.questionnaire import questionnaire_current

    questionnaire = questionnaire_current()
    booked = Appointment.objects.create(
        donor=profile,
        slot=booking_drive.slots.order_by("starts_at").last(),
        date=booking_drive.date,
        donation_type="whole_blood",
    )
    answers = {q["code"]: False for q in questionnaire.questions}
    vitals = {"volume_ml": 450, "hemoglobin_g_dl": "14.2", "bp_systolic": 120, "bp_diastolic": 80, "pulse": 72}
    other = make_eligible_donor(make_user("other-clinical@example.org"), abo="B", rhd="-")
    return (
        [
            Case("typing", f"/api/v1/donations/{donation.pk}/typing", {"abo": "A", "rhd": "+"}, ["abo", "rhd"], typed),
            Case(
                "screening",
                f"/api/v1/donations/{donation.pk}/screening",
                {"test": "hiv", "reactive": False},
                ["test", "reactive"],
                lambda: ScreeningResult.objects.count(),
            ),
            Case(
                "separation",
                f"/api/v1/donations/{donation.pk}/components",
                {"components": [{"component": "PRC"}]},
                ["components.0.component"],
                units,
                # A list of objects has no form encoding the strict body accepts: any form body is a 400.
                json_only=True,
            ),
            Case(
                "collection",
                "/api/v1/donations",
                {"donor": other.donor_number, "site": bank_a.pk, "donation_type": "whole_blood", "outcome": "completed"}
                | vitals,
                ["outcome", "donation_type"],
                lambda: Donation.objects.count(),
            ),
            Case(
                "transfusion outcome",
                f"/api/v1/requests/{blood_request.pk}/outcome",
                {"unit": issued.pk, "transfused": True},
                ["transfused"],
                lambda: Allocation.objects.get(pk=allocation.pk).outcome,
                client="hospital",
            ),
            Case(
                "questionnaire",
                f"/api/v1/appointments/{booked.pk}/questionnaire",
                {"version": questionnaire.version, "answers": answers},
                [f"answers.{code}" for code in list(answers)[:2]],
                lambda: Appointment.objects.get(pk=booked.pk).answers,
                client="donor",
                json_only=True,  # as the separation's list: a form's answers.code keys are refused
            ),
            Case(
                "booking",
                "/api/v1/appointments",
                {"slot": booking_drive.slots.order_by("starts_at").first().pk, "donation_type": "whole_blood"},
                ["donation_type"],
                lambda: Appointment.objects.count(),
                client="other donor",
            ),
            Case(
                "walk-in",
                f"/api/v1/drives/{today_drive.pk}/walk-ins",
                {"donor_number": other.donor_number, "birth_date": "1995-01-15", "donation_type": "whole_blood"},
                ["donation_type"],
                lambda: Appointment.objects.count(),
                around=lambda: on_drive_day(today_drive, 8, 40),
            ),
            Case(
                "blood request",
                "/api/v1/requests",
                {
                    "target_bank": bank_a.pk,
                    "patient_abo": "O",
                    "patient_rhd": "-",
                    "patient_female_cbp": False,
                    "component": "PRC",
                    "units": 2,
                    "urgency": "urgent",
                    "needed_by": (timezone.now() + timedelta(hours=4)).isoformat(),
                },
                ["patient_abo", "patient_rhd", "patient_female_cbp", "component", "urgency"],
                lambda: BloodRequest.objects.count(),
                client="hospital",
            ),
            Case(
                "deferral",
                f"/api/v1/donors/{profile.pk}/deferrals",
                {"reason_code": "tattoo-piercing"},
                ["reason_code"],
                lambda: Deferral.objects.count(),
            ),
        ],
        {
            "staff": api(staff_a),
            "hospital": api(hospital_user),
            "donor": api(donor),
            "other donor": api(other.user),
        },
        nullcontext,
    )


CASE_NAMES = [
    "typing",
    "screening",
    "separation",
    "collection",
    "transfusion outcome",
    "questionnaire",
    "booking",
    "walk-in",
    "blood request",
    "deferral",
]


def _case(cases, name):
    found, clients, nullcontext = cases
    case = next(c for c in found if c.name == name)
    return case, clients[case.client], (case.around or nullcontext)


def test_every_case_is_listed(cases):
    assert [c.name for c in cases[0]] == CASE_NAMES


@pytest.mark.parametrize("content", CONTENT_TYPES)
@pytest.mark.parametrize("name", CASE_NAMES)
def test_the_complete_body_is_recorded(cases, name, content):
    case, client, around = _case(cases, name)
    before = case.stored()
    with around():
        response = post(client, case.url, case.body, content)
    if case.json_only and content != "json":
        assert response.status_code == 400 and case.stored() == before
        return
    assert response.status_code in (200, 201), response.content
    assert case.stored() != before


# A form or multipart body has no null: None is sent as JSON only.
CONTENT_AND_VALUE = [
    (c, v) for c in CONTENT_TYPES for v in (MISSING, "", "maybe", None) if v is not None or c == "json"
]


@pytest.mark.parametrize(("content", "value"), CONTENT_AND_VALUE)
@pytest.mark.parametrize("name", CASE_NAMES)
def test_a_missing_empty_or_ambiguous_clinical_field_is_a_400_naming_it(cases, name, content, value):
    case, client, around = _case(cases, name)
    for field in case.fields:
        before = case.stored()
        with around():
            response = post(client, case.url, _set(case.body, field, value), content)
        assert response.status_code == 400, (field, response.content)
        named = response.json()["fields"]
        if case.json_only and content != "json":
            pass  # refused whatever it holds (see the case)
        elif value is MISSING and field.startswith("components."):
            assert any(key.startswith("components") for key in named), named
        else:
            assert field in named, (field, named)
        assert case.stored() == before, field
