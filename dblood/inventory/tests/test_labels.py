"""A unit's label (GET /units/{id}/label.pdf and label.zpl): who may print it, what it says, and the
record every print leaves (first, reprint, relabel after the lab's typing changed the group)."""

import re
from datetime import UTC, datetime

import pytest
import time_machine

from dblood.audit.models import AuditEvent
from dblood.core.isbt import parse_scan
from dblood.inventory import components
from dblood.inventory.labels_zpl import code128_field
from dblood.inventory.models import BloodUnit, LabelPrint
from dblood.inventory.tests.factories import make_donation, make_donor, make_unit
from testing.scanner import page_size_mm

pytestmark = pytest.mark.django_db


def _unit(site, **extra) -> BloodUnit:
    component = extra.pop("component", "PRC")
    return make_unit(
        checked=False, site=site, component=component, product_code=components.product_code(component), **extra
    )


def _separated(client, donation) -> BloodUnit:
    response = client.post(
        f"/api/v1/donations/{donation.pk}/components", {"components": [{"component": "PRC"}]}, format="json"
    )
    assert response.status_code == 201, response.content
    return BloodUnit.objects.get(donation=donation)


def test_staff_print_a_100_mm_pdf_label_and_each_print_is_recorded(api, staff_a, bank_a):
    unit = _unit(bank_a, abo="A", rhd="-")
    client = api(staff_a)
    response = client.get(f"/api/v1/units/{unit.pk}/label.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF-")
    assert page_size_mm(response.content) == (100.0, 100.0)
    assert response["X-Label-Print"] == "first"
    assert type(response["X-Label-Print"]) is str  # not the enum: wsgiref (make run) refuses a str subclass
    assert client.get(f"/api/v1/units/{unit.pk}/label.zpl")["X-Label-Print"] == "reprint"
    first, again = LabelPrint.objects.filter(unit=unit).order_by("id")
    assert (first.kind, first.format, first.by, first.by_email) == ("first", "pdf", staff_a, staff_a.email)
    assert (again.kind, again.format, again.changed) == ("reprint", "zpl", {})
    assert first.content["din"] == unit.donation.din and first.content["abo"] == "A"
    # The audit log has each print with who made it.
    logged = AuditEvent.objects.filter(model="inventory.LabelPrint", action="create").order_by("id")
    assert [(e.object_id, e.actor) for e in logged] == [(str(first.pk), staff_a), (str(again.pk), staff_a)]


def test_a_typing_change_makes_the_next_print_a_relabel_that_says_what_changed(api, staff_a, bank_a):
    donation = make_donation(site=bank_a, donor=make_donor(abo="O", rhd="+"))
    client = api(staff_a)
    unit = _separated(client, donation)
    assert client.get(f"/api/v1/units/{unit.pk}/label.pdf").status_code == 200
    assert client.get(f"/api/v1/units/{unit.pk}").json()["label"]["current"] is True
    response = client.post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "A", "rhd": "-"}, format="json")
    assert response.status_code == 200, response.content
    # The printed label now says O+ on an A- bag: the unit's detail says to print it again.
    label = client.get(f"/api/v1/units/{unit.pk}").json()["label"]
    assert (label["prints"], label["last_kind"], label["current"]) == (1, "first", False)
    relabel = client.get(f"/api/v1/units/{unit.pk}/label.zpl")
    assert relabel["X-Label-Print"] == "relabel"
    record = LabelPrint.objects.filter(unit=unit).latest("id")
    assert record.changed == {"abo": ["O", "A"], "rhd": ["+", "-"]}
    assert "^FD>:=%>50600^FS" in relabel.content.decode()  # 002 for A RhD negative
    assert client.get(f"/api/v1/units/{unit.pk}").json()["label"]["current"] is True


def test_the_label_carries_din_group_product_and_expiry_in_the_collecting_banks_time(api, staff_a, bank_a):
    bank_a.timezone = "Asia/Jayapura"  # WIT, UTC+9
    bank_a.save()
    unit = _unit(bank_a, abo="AB", rhd="+", component="FFP")
    unit.expires_at = datetime(2027, 3, 1, 14, 59, tzinfo=UTC)
    unit.save()
    zpl = api(staff_a).get(f"/api/v1/units/{unit.pk}/label.zpl").content.decode()
    assert zpl.startswith("^XA\n^CI28\n^PW800\n^LL800\n") and zpl.endswith("^XZ\n")
    fields = [_scanner_data(data) for data in re.findall(r"\^BC[^\^]*\^FD(.*?)\^FS", zpl)]
    scan = parse_scan("".join(fields))
    assert (scan.din, scan.abo, scan.rhd) == (unit.donation.din, "AB", "+")
    assert scan.product_code == unit.product_code
    assert scan.expires == datetime(2027, 3, 1, 23, 59)  # 14:59 UTC is 23:59 WIT
    assert "23:59 WIT" in zpl


def _scanner_data(field: str) -> str:
    """What a scanner reads from ^BC field data: invocation codes dropped, `><` a literal `>`."""
    out, position = [], 0
    while position < len(field):
        if field[position] == ">":
            code = field[position + 1]
            if code == "<":
                out.append(">")
            else:
                assert code in ":56", field  # start B, to C, to B: nothing else is written
            position += 2
        else:
            out.append(field[position])
            position += 1
    return "".join(out)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ("=G12342600000177", ">:=G>512342600000177"),
        ("A12345B", ">:A1>52345>6B"),  # an odd run leaves its first digit in subset B
        ("&>0263652359", ">:&><>50263652359"),
        ("=<E0001V00", ">:=<E>50001>6V00"),
        ("=%5100", ">:=%>55100"),
    ],
)
def test_zpl_field_data_switches_digit_runs_to_subset_c_and_escapes_the_invocation_character(data, field):
    assert code128_field(data) == field
    assert _scanner_data(field) == data


def test_zpl_text_cannot_inject_commands(api, staff_a, bank_a):
    bank_a.name = "UDD ^XZ~JA_test"
    bank_a.save()
    unit = _unit(bank_a)
    zpl = api(staff_a).get(f"/api/v1/units/{unit.pk}/label.zpl").content.decode()
    assert "UDD _5EXZ_7EJA_5Ftest" in zpl
    assert zpl.count("^XZ") == 1


@pytest.mark.parametrize("state", ["discarded", "issued", "unsafe", "expired"])
def test_no_label_for_a_unit_out_of_custody(api, staff_a, bank_a, state):
    unit = _unit(bank_a, state=state)
    response = api(staff_a).get(f"/api/v1/units/{unit.pk}/label.pdf")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "not_labellable"
    assert not LabelPrint.objects.exists()


def test_no_label_past_expiry_or_without_a_product_code(api, staff_a, bank_a):
    client = api(staff_a)
    old = _unit(bank_a, days=1)
    with time_machine.travel(old.expires_at, tick=False):
        assert client.get(f"/api/v1/units/{old.pk}/label.pdf").json()["code"] == "unit_expired"
    bare = make_unit(
        checked=False, site=bank_a, product_code=""
    )  # made before product codes: nothing to print in quadrant 3
    response = client.get(f"/api/v1/units/{bare.pk}/label.zpl")
    assert (response.status_code, response.json()["code"]) == (409, "no_product_code")
    assert not LabelPrint.objects.exists()


def test_only_the_holding_banks_staff_and_admins_print(api, staff_a, staff_b, hospital_user, donor, admin_user, bank_a):
    unit = _unit(bank_a)
    path = f"/api/v1/units/{unit.pk}/label.pdf"
    assert api().get(path).status_code == 401
    assert api(donor).get(path).status_code == 403
    assert api(hospital_user).get(path).status_code == 403
    assert api(staff_b).get(path).status_code == 404  # another bank's unit is not found, as elsewhere
    admin = api(admin_user).get(path)
    assert admin.status_code == 200 and admin["X-Label-Print"] == "first"
    assert list(LabelPrint.objects.values_list("by", flat=True)) == [admin_user.pk]


def test_an_error_is_the_apis_json_whatever_the_accept_header(api, staff_b, bank_a):
    unit = _unit(bank_a)
    response = api(staff_b).get(f"/api/v1/units/{unit.pk}/label.pdf", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_the_units_detail_says_a_never_printed_label_is_not_current(api, staff_a, bank_a):
    unit = _unit(bank_a)
    client = api(staff_a)
    label = client.get(f"/api/v1/units/{unit.pk}").json()["label"]
    assert label == {"prints": 0, "last_printed_at": None, "last_kind": None, "current": False, "verified": False}
