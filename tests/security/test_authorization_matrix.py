"""Who may call what: every endpoint of the URL configuration x every role, in one table.

A route without a row fails `test_every_endpoint_has_a_row` (and a row for a route that is gone
fails it too), so a new endpoint cannot ship without someone deciding who may use it.

Adding an endpoint is one line in MATRIX:  METHOD  /route/{param}  object  outcomes...
- the route is the URL pattern with each parameter written `{name}`;
- `object` names what fills the parameters, from World below (`-` if none);
- one outcome per role, in ROLES order:
    ok   the permission check passed: 2xx, or 400/409 about the (empty) body or the state;
    401, 403, 404, 405: refused with exactly that status.
Calls carry an empty JSON body, so a view that validates its input before loading the object
(requests reserve/outcome, call-out answer) shows `ok` (400) for a role that would get 404 with
a valid body; the permission itself is still checked by the object lookup.
Each row runs as one test in a fresh world (personas, a drive of bank A, an appointment of the
donor), so what one role's call changes does not leak into another row.
"""

import re
from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

ROLES = ("anonymous", "donor", "other_donor", "staff_a", "staff_b", "hospital_user", "admin_user")

# fmt: off
MATRIX = """
# method route                                         object        anon  donor other staffA staffB hosp  admin
GET    /healthz                                        -             ok    ok    ok    ok     ok     ok    ok
GET    /readyz                                         -             ok    ok    ok    ok     ok     ok    ok
GET    /api/schema/                                    -             ok    ok    ok    ok     ok     ok    ok
GET    /api/docs/                                      -             ok    ok    ok    ok     ok     ok    ok
GET    /api/redoc/                                     -             ok    ok    ok    ok     ok     ok    ok
POST   /api/v1/auth/register                           -             ok    ok    ok    ok     ok     ok    ok
POST   /api/v1/auth/register/confirm                   -             ok    ok    ok    ok     ok     ok    ok
POST   /api/v1/auth/login                              -             ok    ok    ok    ok     ok     ok    ok
POST   /api/v1/auth/logout                             -             401   ok    ok    ok     ok     ok    ok
POST   /api/v1/auth/password/change                    -             401   ok    ok    ok     ok     ok    ok
POST   /api/v1/auth/password/reset                     -             ok    ok    ok    ok     ok     ok    ok
POST   /api/v1/auth/password/reset/confirm             -             ok    ok    ok    ok     ok     ok    ok
GET    /api/v1/me                                      -             401   ok    ok    ok     ok     ok    ok
PATCH  /api/v1/me                                      -             401   ok    ok    ok     ok     ok    ok
GET    /api/v1/sites                                   -             ok    ok    ok    ok     ok     ok    ok
GET    /api/v1/sites/{pk}                              site_a        ok    ok    ok    ok     ok     ok    ok
PUT    /api/v1/sites/{pk}/photo                        site_a        401   403   403   ok     403    403   ok
DELETE /api/v1/sites/{pk}/photo                        site_a        401   403   403   ok     403    403   ok
PUT    /api/v1/sites/{pk}/fees                         site_a        401   403   403   ok     403    403   ok
GET    /api/v1/donors/me                               -             401   ok    ok    403    403    403   403
PATCH  /api/v1/donors/me                               -             401   ok    ok    403    403    403   403
GET    /api/v1/donors/me/eligibility                   -             401   ok    ok    403    403    403   403
GET    /api/v1/donors/me/deferrals                     -             401   ok    ok    403    403    403   403
GET    /api/v1/donors                                  -             401   ok    ok    ok     ok     ok    ok
GET    /api/v1/donors/{pk}                             booked_donor  401   ok    404   ok     404    404   ok
GET    /api/v1/donors/{pk}/deferrals                   booked_donor  401   403   403   ok     404    403   403
POST   /api/v1/donors/{pk}/deferrals                   booked_donor  401   403   403   ok     404    403   403
POST   /api/v1/donors/{pk}/deferrals/{deferral_id}/lift deferral     401   403   403   ok     404    403   403
GET    /api/v1/deferral-reasons                        -             401   ok    ok    ok     ok     ok    ok
GET    /api/v1/questionnaire                           -             ok    ok    ok    ok     ok     ok    ok
GET    /api/v1/drives                                  -             ok    ok    ok    ok     ok     ok    ok
POST   /api/v1/drives                                  -             401   403   403   ok     ok     403   ok
GET    /api/v1/drives/{pk}                             drive_a       ok    ok    ok    ok     ok     ok    ok
PATCH  /api/v1/drives/{pk}                             drive_a       401   403   403   ok     403    403   ok
GET    /api/v1/drives/{pk}/appointments                drive_a       401   403   403   ok     403    403   ok
POST   /api/v1/drives/{pk}/cancel                      drive_a       401   403   403   ok     403    403   ok
POST   /api/v1/drives/{pk}/walk-ins                    drive_a       401   403   403   ok     403    403   ok
GET    /api/v1/appointments                            -             401   ok    ok    ok     ok     ok    ok
POST   /api/v1/appointments                            -             401   ok    ok    403    403    403   403
GET    /api/v1/appointments/{pk}                       appointment   401   ok    404   ok     404    404   ok
POST   /api/v1/appointments/{pk}/cancel                appointment   401   ok    404   ok     404    404   ok
POST   /api/v1/appointments/{pk}/check-in              appointment   401   403   403   ok     404    403   403
GET    /api/v1/appointments/{pk}/ics                   appointment   401   ok    404   ok     404    404   ok
POST   /api/v1/appointments/{pk}/no-show               appointment   401   403   403   ok     404    403   403
POST   /api/v1/appointments/{pk}/questionnaire         appointment   401   ok    404   403    403    403   403
POST   /api/v1/appointments/{pk}/reschedule            appointment   401   ok    404   403    403    403   403
GET    /api/v1/donations                               -             401   403   403   ok     ok     403   403
POST   /api/v1/donations                               -             401   403   403   ok     ok     403   403
GET    /api/v1/donations/worklist                      -             401   403   403   ok     ok     403   403
GET    /api/v1/donations/mine                          -             401   ok    ok    403    403    403   403
GET    /api/v1/donations/mine/milestones               -             401   ok    ok    403    403    403   403
GET    /api/v1/donations/mine/certificates/{milestone}/certificate.pdf certificate 401 ok 404 403 403 403 403
GET    /api/v1/public/certificates/{token}             certificate   ok    ok    ok    ok     ok     ok    ok
GET    /api/v1/donations/{pk}                          donation      401   403   403   ok     404    403   403
POST   /api/v1/donations/{pk}/components               donation      401   403   403   ok     404    403   403
POST   /api/v1/donations/{pk}/screening                donation      401   403   403   ok     404    403   403
POST   /api/v1/donations/{pk}/typing                   donation      401   403   403   ok     404    403   403
GET    /api/v1/units                                   -             401   403   403   ok     ok     403   403
GET    /api/v1/units/expiring                          -             401   403   403   ok     ok     403   403
GET    /api/v1/units/din/{din}                         din           401   403   403   ok     404    403   403
GET    /api/v1/units/{pk}                              unit          401   403   403   ok     404    403   403
POST   /api/v1/units/{pk}/discard                      unit          401   403   403   ok     404    403   403
GET    /api/v1/units/{pk}/label.pdf                    unit          401   403   403   ok     404    403   ok
GET    /api/v1/units/{pk}/label.zpl                    unit          401   403   403   ok     404    403   ok
POST   /api/v1/units/{pk}/label-verification           unit          401   403   403   ok     404    403   ok
GET    /api/v1/stock                                   -             ok    ok    ok    ok     ok     ok    ok
GET    /api/v1/stock.csv                               -             ok    ok    ok    ok     ok     ok    ok
GET    /api/v1/reports/collections                     -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/collections.csv                 -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/collections.xlsx                -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/complications                   -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/complications.csv               -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/complications.xlsx              -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/daily_stock                     -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/daily_stock.csv                 -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/daily_stock.xlsx                -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/deferrals                       -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/deferrals.csv                   -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/deferrals.xlsx                  -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/haemovigilance-export.csv       -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/issues                          -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/issues.csv                      -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/issues.xlsx                     -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/reactions                       -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/reactions.csv                   -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/reactions.xlsx                  -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/returns                         -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/returns.csv                     -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/returns.xlsx                    -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/turnaround                      -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/turnaround.csv                  -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/turnaround.xlsx                 -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/wastage                         -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/wastage.csv                     -             401   403   403   ok     ok     403   ok
GET    /api/v1/reports/wastage.xlsx                    -             401   403   403   ok     ok     403   ok
GET    /api/v1/transfers                               -             401   403   403   ok     ok     403   403
POST   /api/v1/transfers                               -             401   403   403   ok     ok     403   403
POST   /api/v1/transfers/{pk}/dispatch                 transfer      401   403   403   ok     403    403   403
POST   /api/v1/transfers/{pk}/receive                  transfer      401   403   403   403    ok     403   403
GET    /api/v1/requests                                -             401   403   403   ok     ok     ok    ok
POST   /api/v1/requests                                -             401   403   403   403    403    ok    ok
GET    /api/v1/requests/{pk}                           blood_request 401   403   403   ok     404    ok    ok
GET    /api/v1/requests/{pk}/proposal                  blood_request 401   403   403   ok     404    403   ok
POST   /api/v1/requests/{pk}/allocate                  blood_request 401   403   403   ok     404    403   ok
POST   /api/v1/requests/{pk}/call-outs                 blood_request 401   403   403   ok     404    ok    ok
POST   /api/v1/requests/{pk}/cancel                    blood_request 401   403   403   ok     404    ok    ok
POST   /api/v1/requests/{pk}/issue                     blood_request 401   403   403   ok     404    403   ok
POST   /api/v1/requests/{pk}/outcome                   blood_request 401   403   403   ok     ok     ok    ok
POST   /api/v1/requests/{pk}/reserve                   blood_request 401   403   403   ok     ok     ok    ok
POST   /api/v1/requests/{pk}/replacement-code          blood_request 401   403   403   ok     404    ok    ok
GET    /api/v1/public/replacement-codes/{code}         replacement   ok    ok    ok    ok     ok     ok    ok
GET    /api/v1/call-outs                               -             401   ok    ok    ok     ok     ok    ok
GET    /api/v1/call-outs/{pk}                          call_out      401   ok    404   ok     404    ok    ok
POST   /api/v1/call-outs/{pk}/answer                   call_out      401   ok    ok    403    403    403   403
GET    /api/v1/relay/threads                           -             401   ok    ok    ok     ok     ok    ok
POST   /api/v1/relay/threads                           -             401   ok    ok    ok     ok     ok    ok
GET    /api/v1/relay/threads/{pk}                      relay_thread  401   ok    404   ok     404    ok    ok
POST   /api/v1/relay/threads/{pk}/messages             relay_thread  401   ok    ok    ok     ok     ok    ok
POST   /api/v1/relay/threads/{pk}/block                relay_thread  401   ok    404   403    403    403   403
POST   /api/v1/relay/threads/{pk}/unblock              relay_thread  401   ok    404   403    403    403   403
GET    /api/v1/audit/events                            -             401   403   403   403    403    403   ok
GET    /api/v1/notifications                           -             401   ok    ok    ok     ok     ok    ok
GET    /api/v1/notifications/unread-count              -             401   ok    ok    ok     ok     ok    ok
GET    /api/v1/notifications/{pk}                      notification  401   ok    404   404    404    404   404
POST   /api/v1/notifications/{pk}/read                 notification  401   ok    404   404    404    404   404
POST   /api/v1/notifications/read-all                  -             401   ok    ok    ok     ok     ok    ok
GET    /api/v1/notifications/channels                  -             ok    ok    ok    ok     ok     ok    ok
# Providers' delivery reports: the HMAC signature is the credential (test_channel_callbacks); the
# channels are not configured in this world, so every caller hears 404.
POST   /api/v1/notifications/callbacks/sms             -             404   404   404   404    404    404   404
GET    /api/v1/notifications/callbacks/whatsapp        -             404   404   404   404    404    404   404
POST   /api/v1/notifications/callbacks/whatsapp        -             404   404   404   404    404    404   404
GET    /api/v1/recalls                                 -             401   403   403   ok     ok     403   403
GET    /api/v1/recalls/{pk}                            recall        401   403   403   ok     404    403   403
POST   /api/v1/recalls/{pk}/close                      recall        401   403   403   ok     404    403   403
GET    /api/v1/returns                                 -             401   403   403   ok     ok     ok    403
POST   /api/v1/returns                                 -             401   403   403   403    403    ok    403
GET    /api/v1/returns/{pk}                            unit_return   401   403   403   ok     404    ok    403
POST   /api/v1/returns/{pk}/decide                     unit_return   401   403   403   ok     404    403   403
GET    /api/v1/donor-complications                     -             401   403   403   ok     ok     403   403
POST   /api/v1/donor-complications                     -             401   403   403   ok     ok     403   403
GET    /api/v1/donor-complications/mine                -             401   ok    ok    403    403    403   403
POST   /api/v1/donor-complications/mine                -             401   ok    ok    403    403    403   403
GET    /api/v1/donor-complications/{pk}                complication  401   403   403   ok     404    403   403
POST   /api/v1/donor-complications/{pk}/code           complication  401   403   403   ok     404    403   403
POST   /api/v1/donor-complications/{pk}/follow-up      complication  401   403   403   ok     404    403   403
GET    /api/v1/transfusion-reactions                   -             401   403   403   ok     ok     ok    403
POST   /api/v1/transfusion-reactions                   -             401   403   403   403    403    ok    403
GET    /api/v1/transfusion-reactions/{pk}              reaction      401   403   403   ok     404    ok    403
POST   /api/v1/transfusion-reactions/{pk}/investigate  reaction      401   403   403   ok     404    403   403
POST   /api/v1/transfusion-reactions/{pk}/conclude     reaction      401   403   403   ok     404    403   403
POST   /api/v1/transfusion-reactions/{pk}/lookback     reaction      401   403   403   ok     404    403   403
POST   /api/v1/transfusion-reactions/{pk}/defer        reaction      401   403   403   ok     404    403   403
# FHIR R4 (dblood/fhir): the same rules as /api/v1/requests; hospital systems use OAuth2 clients (dblood/fhir/tests).
GET    /fhir/r4/metadata                               -             ok    ok    ok    ok     ok     ok    ok
POST   /fhir/r4/auth/token                             -             ok    ok    ok    ok     ok     ok    ok
POST   /fhir/r4/ServiceRequest                         -             401   403   403   403    403    ok    403
GET    /fhir/r4/ServiceRequest/{pk}                    blood_request 401   403   403   ok     404    ok    ok
PUT    /fhir/r4/ServiceRequest/{pk}                    blood_request 401   403   403   ok     404    ok    ok
PATCH  /fhir/r4/ServiceRequest/{pk}                    blood_request 401   403   403   ok     404    ok    ok
GET    /fhir/r4/BiologicallyDerivedProduct/{pk}        allocated_unit 401  403   403   ok     404    ok    ok
GET    /fhir/r4/SupplyDelivery/{pk}                    issue         401   403   403   ok     404    ok    ok
POST   /fhir/r4/Observation                            -             401   403   403   403    403    ok    ok
POST   /fhir/r4/AdverseEvent                           -             401   403   403   403    403    ok    ok
"""
# fmt: on

# Routes that are not part of the api's contract.
NOT_IN_MATRIX = ("admin/",)


@dataclass(frozen=True)
class Row:
    method: str
    route: str
    obj: str
    expected: dict[str, str]

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}"


def _rows() -> list[Row]:
    rows = []
    for line in MATRIX.strip().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        method, route, obj, *outcomes = line.split()
        assert len(outcomes) == len(ROLES), f"{method} {route}: {len(outcomes)} outcomes for {len(ROLES)} roles"
        rows.append(Row(method, route, obj, dict(zip(ROLES, outcomes, strict=True))))
    return rows


ROWS = _rows()

# --- routes from the URL configuration ----------------------------------------------------------

_PARAM = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:\w+:)?(\w+)>")


def _normalise(route: str) -> str:
    """`api/v1/^drives/(?P<pk>[^/.]+)$` and `api/v1/drives/<int:pk>` -> `/api/v1/drives/{pk}`."""
    route = _PARAM.sub(lambda m: "{" + (m.group(1) or m.group(2)) + "}", route)
    return "/" + route.replace("^", "").replace("$", "")


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def _methods(callback) -> set[str]:
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    actions = getattr(callback, "actions", None)
    if actions:  # a router route of a viewset: the methods it maps that the view does not refuse
        return {m.upper() for m in actions if m in cls.http_method_names and m not in ("options", "head")}
    if cls is None:
        return {"GET"}
    return {m.upper() for m in cls.http_method_names if m not in ("options", "head") and hasattr(cls, m)}


def url_endpoints() -> set[tuple[str, str]]:
    endpoints = set()
    for route, callback in _walk(get_resolver().url_patterns):
        if route.startswith(NOT_IN_MATRIX):
            continue
        for method in _methods(callback):
            endpoints.add((method, _normalise(route)))
    return endpoints


def test_every_endpoint_has_a_row_and_every_row_an_endpoint():
    declared = {(row.method, row.route) for row in ROWS}
    assert len(declared) == len(ROWS), "a row is declared twice"
    actual = url_endpoints()
    missing = sorted(actual - declared)
    stale = sorted(declared - actual)
    assert not missing, "endpoints without a row in MATRIX (decide who may call them):\n" + "\n".join(
        f"{m} {r}" for m, r in missing
    )
    assert not stale, "rows for endpoints that no longer exist:\n" + "\n".join(f"{m} {r}" for m, r in stale)


# --- the world each row runs in -----------------------------------------------------------------


class World:
    """Named objects a row's `object` column can point at. Add a property for a new kind."""

    def __init__(self, request):
        self.request = request
        self.users = {role: None if role == "anonymous" else request.getfixturevalue(role) for role in ROLES}

    def __getattr__(self, name):
        return self.request.getfixturevalue(f"world_{name}")


@pytest.fixture
def world_site_a(bank_a):
    return bank_a


@pytest.fixture
def world_donor(donor):
    from dblood.donors.tests.factories import make_donor

    return make_donor(donor)


@pytest.fixture
def world_drive_a(bank_a):
    from dblood.drives.services import drive_create

    return drive_create(
        organiser=bank_a,
        created_by=None,
        name="Matrix drive",
        site=bank_a,
        date=timezone.localdate() + timedelta(days=7),
        start_time=time(8, 0),
        end_time=time(10, 0),
    )


@pytest.fixture
def world_booked_donor(world_appointment):
    """The donor, booked at bank A's drive: staff of A may see them, staff of B may not."""
    return world_appointment.donor


@pytest.fixture
def world_deferral(world_booked_donor, staff_a):
    """A temporary deferral of the booked donor, recorded at bank A."""
    from dblood.donors.services import deferral_record

    deferral = deferral_record(donor=world_booked_donor, reason_code="tattoo-piercing", recorded_by=staff_a)
    return {"pk": world_booked_donor.pk, "deferral_id": deferral.pk}


@pytest.fixture
def world_appointment(world_donor, world_drive_a):
    from dblood.drives.appointments import appointment_book

    return appointment_book(donor=world_donor, slot_id=world_drive_a.slots.first().id)


@pytest.fixture
def world_donation(world_donor, bank_a):
    from dblood.inventory.tests.factories import make_donation

    return make_donation(donor=world_donor, site=bank_a)


@pytest.fixture
def world_unit(world_donation, bank_a):
    from dblood.inventory.tests.factories import make_unit

    return make_unit(site=bank_a, donation=world_donation)


@pytest.fixture
def world_din(world_unit):
    return world_unit.donation.din


@pytest.fixture
def world_transfer(bank_a, bank_b, staff_a):
    from dblood.inventory.models import BloodUnit, Transfer
    from dblood.inventory.tests.factories import make_unit

    unit = make_unit(site=bank_a, state=BloodUnit.State.AVAILABLE)
    return Transfer.objects.create(unit=unit, from_site=bank_a, to_site=bank_b, sent_by=staff_a)


@pytest.fixture
def world_blood_request(hospital, bank_a, hospital_user):
    from dblood.requests.models import BloodRequest

    return BloodRequest.objects.create(
        hospital=hospital,
        target_bank=bank_a,
        created_by=hospital_user,
        patient_abo="A",
        patient_rhd="+",
        component="PRC",
        units=2,
        needed_by=timezone.now() + timedelta(hours=6),
    )


@pytest.fixture
def world_allocated_unit(world_blood_request, bank_a, staff_a):
    """A unit of bank A reserved for hospital H's request."""
    from dblood.inventory.tests.factories import make_unit
    from dblood.requests.services import allocation_reserve

    unit = make_unit(site=bank_a, abo="A", rhd="+")
    allocation_reserve(blood_request=world_blood_request, unit_ids=[unit.pk], by=staff_a)
    return unit


@pytest.fixture
def world_issue(world_allocated_unit, world_blood_request, staff_a):
    """That unit issued to hospital H: the allocation is the SupplyDelivery."""
    from dblood.requests.services import request_issue

    request_issue(blood_request=world_blood_request, by=staff_a)
    return world_allocated_unit.allocations.get()


@pytest.fixture
def world_call_out(world_blood_request, world_donor, bank_a, staff_a):
    from dblood.requests.models import CallOut, CallOutRecipient

    call_out = CallOut.objects.create(
        request=world_blood_request,
        collection_site=bank_a,
        started_by=staff_a,
        donation_type="whole_blood",
        radius_km=25,
        donors_wanted=5,
        come_by=timezone.now() + timedelta(hours=12),
    )
    CallOutRecipient.objects.create(call_out=call_out, donor=world_donor, batch=1)
    return call_out


@pytest.fixture
def world_relay_thread(world_call_out, world_donor):
    """The conversation about the donor's "coming" answer to bank A's call-out."""
    from dblood.relay.models import Thread
    from dblood.requests.callouts import call_out_answer

    return Thread.objects.create(response=call_out_answer(call_out=world_call_out, donor=world_donor, answer="coming"))


@pytest.fixture
def world_notification(donor):
    from dblood.notifications.models import Notification

    return Notification.objects.create(user=donor, kind="generic", dedupe_key="matrix", title="Hello", body="Hi")


@pytest.fixture
def world_recall(world_donor, bank_a):
    """Bank A's lookback of the donor: one earlier unit of theirs, held at bank A."""
    from dblood.inventory.tests.factories import make_donation, make_unit
    from dblood.recalls.services import lookback_trace

    earlier = make_donation(donor=world_donor, site=bank_a, collected_at=timezone.now() - timedelta(days=30))
    make_unit(site=bank_a, donation=earlier)
    return lookback_trace(donation=make_donation(donor=world_donor, site=bank_a))


@pytest.fixture
def world_unit_return(bank_a, hospital, hospital_user):
    """Hospital H's return of a unit bank A issued to it, awaiting bank A's inspection."""
    from dblood.inventory.tests.factories import make_unit
    from dblood.returns.services import unit_return

    issued_at = timezone.now() - timedelta(hours=2)
    unit = make_unit(site=bank_a, state="issued", issued_to=hospital, issued_at=issued_at)
    return unit_return(
        unit_id=unit.pk, by=hospital_user, left_storage_at=issued_at, temperature_c=4, validated_box=False
    )


@pytest.fixture
def world_complication(world_donation, staff_a):
    """A coded complication of the donor's donation at bank A."""
    from dblood.haemovigilance.complications import complication_record

    return complication_record(
        by=staff_a,
        donation_id=world_donation.pk,
        category="haematoma",
        severity="non_severe",
        onset="after",
        outcome="resolved",
        follow_up="advice",
        occurred_at=world_donation.collected_at,
    )


@pytest.fixture
def world_reaction(bank_a, hospital, hospital_user):
    """Hospital H's report of a reaction to a unit bank A issued to it."""
    from dblood.haemovigilance.reactions import reaction_report
    from dblood.inventory.tests.factories import make_unit

    now = timezone.now()
    unit = make_unit(site=bank_a, state="issued", issued_to=hospital, issued_at=now - timedelta(hours=3))
    return reaction_report(
        by=hospital_user,
        unit_ids=[unit.pk],
        category="fnhtr",
        severity="non_severe",
        imputability="possible",
        transfusion_started_at=now - timedelta(hours=2),
        onset_at=now - timedelta(hours=1),
        signs=["fever"],
    )


@pytest.fixture
def world_certificate(world_donor, bank_a):
    """The donor's certificate for 10 donations (its milestone and its public token)."""
    from dblood.donations.models import MilestoneCertificate
    from dblood.inventory.tests.factories import make_donation

    donation = make_donation(donor=world_donor, site=bank_a)
    certificate = MilestoneCertificate.objects.create(
        donor=world_donor, milestone=10, donation=donation, issued_at=timezone.now()
    )
    return {"milestone": certificate.milestone, "token": certificate.token}


@pytest.fixture
def world_replacement(world_blood_request, hospital_user):
    """The replacement-donation code of the request, issued by its hospital."""
    from dblood.requests.replacement import replacement_code_issue

    code, _created = replacement_code_issue(blood_request=world_blood_request, by=hospital_user)
    return {"code": code.code}


def _path(row: Row, world: World) -> str:
    if row.obj == "-":
        return row.route
    obj = getattr(world, row.obj)
    if isinstance(obj, dict):  # one value per parameter
        return re.sub(r"\{(\w+)\}", lambda match: str(obj[match.group(1)]), row.route)
    return re.sub(r"\{\w+\}", str(getattr(obj, "pk", obj)), row.route)


def _outcome(status: int) -> str:
    if 200 <= status < 300 or status in (400, 409):
        return "ok"
    return str(status)


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.id)
def test_each_role_gets_the_declared_outcome(row, request, api):
    world = World(request)
    path = _path(row, world)
    got = {}
    for role in ROLES:
        cache.clear()  # throttles count per address: every role would share the test client's
        client = api(world.users[role])
        client.raise_request_exception = False
        response = client.generic(row.method, path, data="{}", content_type="application/json")
        got[role] = _outcome(response.status_code)
        assert response.status_code < 500, f"{row.id} as {role}: {response.status_code}"  # no known 5xx
    mismatches = {r: f"expected {row.expected[r]}, got {got[r]}" for r in ROLES if got[r] != row.expected[r]}
    assert not mismatches, f"{row.id} ({path}): {mismatches}\nactual row: " + "  ".join(got[r] for r in ROLES)


@pytest.mark.django_db
def test_the_django_admin_is_for_admins_only(client, donor, staff_a, hospital_user, admin_user):
    assert client.get("/admin/").status_code == 302
    for user in (donor, staff_a, hospital_user):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"], user
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
