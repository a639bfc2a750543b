from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.utils import timezone

from dblood.donations import din as isbt
from dblood.inventory.models import BloodUnit

from .factories import make_donation, make_unit

pytestmark = pytest.mark.django_db


def test_fefo_list_is_scoped_filtered_and_first_expiring_first(api, staff_a, bank_a, bank_b):
    late = make_unit(site=bank_a, days=30)
    soon = make_unit(site=bank_a, days=2)
    make_unit(site=bank_a, days=5, abo="A")
    make_unit(site=bank_a, days=-1)  # past expiry, not yet swept: never offered
    make_unit(site=bank_b, days=1)  # another bank's
    body = api(staff_a).get("/api/v1/units", {"abo": "O", "rhd": "+", "component": "PRC"}).json()
    assert [u["id"] for u in body["results"]] == [soon.pk, late.pk]
    assert body["results"][0]["din"] == soon.donation.din


def test_the_list_filters_by_state_and_expiry_within_days(api, staff_a, bank_a):
    soon = make_unit(site=bank_a, days=2)
    make_unit(site=bank_a, days=30)
    quarantined = make_unit(site=bank_a, days=3, state=BloodUnit.State.QUARANTINED)
    client = api(staff_a)
    assert [u["id"] for u in client.get("/api/v1/units", {"expires_within_days": 7}).json()["results"]] == [soon.pk]
    body = client.get("/api/v1/units", {"state": "quarantined", "expires_within_days": 7}).json()
    assert [u["id"] for u in body["results"]] == [quarantined.pk]
    assert client.get("/api/v1/units", {"expires_within_days": 0}).json()["count"] == 0
    refused = client.get("/api/v1/units", {"expires_within_days": "-1"}, HTTP_ACCEPT_LANGUAGE="id")
    assert refused.status_code == 400
    assert "expires_within_days" in refused.json()["fields"]


def test_list_query_count_is_flat(api, staff_a, bank_a, django_assert_num_queries):
    client = api(staff_a)
    client.get("/api/v1/me")  # the token's once-a-minute last_used_at write happens here
    make_unit(site=bank_a)
    with django_assert_num_queries(2):  # count, page (token, user and memberships are cached)
        assert client.get("/api/v1/units").json()["count"] == 1
    for _ in range(9):
        make_unit(site=bank_a)
    with django_assert_num_queries(2):
        assert client.get("/api/v1/units").json()["count"] == 10


def test_only_staff_and_only_their_own_units(api, staff_b, donor, hospital_user, bank_a):
    unit = make_unit(site=bank_a)
    assert api().get("/api/v1/units").status_code == 401
    assert api(donor).get("/api/v1/units").status_code == 403
    assert api(hospital_user).get("/api/v1/units").status_code == 403
    assert api(staff_b).get("/api/v1/units").json()["count"] == 0
    assert api(staff_b).get(f"/api/v1/units/{unit.pk}").status_code == 404
    assert api(staff_b).post(f"/api/v1/units/{unit.pk}/discard", {"reason": "x"}).status_code == 404


def test_expiring_within_n_days(api, staff_a, bank_a):
    in_two = make_unit(site=bank_a, days=2)
    quarantined = make_unit(site=bank_a, days=1, state="quarantined")
    make_unit(site=bank_a, days=10)
    make_unit(site=bank_a, days=1, state="issued")
    body = api(staff_a).get("/api/v1/units/expiring", {"days": 3}).json()
    assert [u["id"] for u in body["results"]] == [quarantined.pk, in_two.pk]
    assert api(staff_a).get("/api/v1/units/expiring", {"days": -1}).status_code == 400


def test_lookup_by_din(api, staff_a, staff_b, bank_a):
    donation = make_donation(site=bank_a, din="T999926000777")
    make_unit(site=bank_a, donation=donation, component="PRC")
    make_unit(site=bank_a, donation=donation, component="FFP")
    check = isbt.check_character("T999926000777")
    for typed in ("T999926000777", f"T999926000777{check}"):
        response = api(staff_a).get(f"/api/v1/units/din/{typed}")
        assert response.status_code == 200
        assert [u["component"] for u in response.json()] == ["FFP", "PRC"]
    wrong = "A" if check != "A" else "B"
    bad = api(staff_a).get(f"/api/v1/units/din/T999926000777{wrong}")
    assert bad.status_code == 400 and "din" in bad.json()["fields"]
    assert api(staff_b).get("/api/v1/units/din/T999926000777").status_code == 404


def test_discard_needs_a_reason_and_is_final(api, staff_a, bank_a):
    unit = make_unit(site=bank_a)
    client = api(staff_a)
    assert client.post(f"/api/v1/units/{unit.pk}/discard", {}).json()["fields"].keys() == {"reason"}
    response = client.post(f"/api/v1/units/{unit.pk}/discard", {"reason": "Bag leaking"})
    assert response.status_code == 200
    assert response.json()["state"] == "discarded" and response.json()["discard_reason"] == "Bag leaking"
    assert response.json()["events"][-1]["reason"] == "Bag leaking"
    again = client.post(f"/api/v1/units/{unit.pk}/discard", {"reason": "again"})
    assert again.status_code == 409
    assert again.json()["from_state"] == "discarded" and again.json()["to_state"] == "discarded"


def test_expiry_sweep_is_idempotent(bank_a, capsys):
    past = [make_unit(site=bank_a, days=-1, state=s) for s in ("quarantined", "available", "reserved")]
    issued = make_unit(site=bank_a, days=-1, state="issued")
    fresh = make_unit(site=bank_a, days=1)
    call_command("expire_units", "--no-progress")
    assert "3 unit(s) expired" in capsys.readouterr().out
    assert {u.state for u in BloodUnit.objects.filter(pk__in=[u.pk for u in past])} == {"expired"}
    issued.refresh_from_db()
    fresh.refresh_from_db()
    assert (issued.state, fresh.state) == ("issued", "available")
    call_command("expire_units", "--no-progress")
    assert "0 unit(s) expired" in capsys.readouterr().out
    assert BloodUnit.objects.get(pk=past[0].pk).events.count() == 1


def test_sweep_expires_what_became_due(bank_a):
    import time_machine

    unit = make_unit(site=bank_a, days=1)
    call_command("expire_units", "--no-progress")
    unit.refresh_from_db()
    assert unit.state == "available"
    with time_machine.travel(timedelta(days=1, minutes=1)):
        assert timezone.now() > unit.expires_at
        call_command("expire_units", "--no-progress")
    unit.refresh_from_db()
    assert unit.state == "expired"


def test_sweep_is_a_worker_job(bank_a):
    from dblood.inventory.services import units_expire_due

    make_unit(site=bank_a, days=-1)
    assert units_expire_due() == 1
    assert units_expire_due() == 0


def test_a_non_numeric_id_is_a_404(api, staff_a):
    client = api(staff_a)
    assert client.get("/api/v1/units/abc").status_code == 404
    assert client.post("/api/v1/units/abc/discard", {"reason": "x"}).status_code == 404
    assert client.post("/api/v1/transfers/abc/receive").status_code == 404
    assert client.post("/api/v1/donations/abc/typing", {"abo": "O", "rhd": "+"}).status_code == 404


def test_lookup_by_a_full_label_scan_narrows_to_the_product(api, staff_a, bank_a):
    donation = make_donation(site=bank_a, din="T999926000778")
    red = make_unit(site=bank_a, donation=donation, component="PRC", product_code="E0002V00")
    make_unit(site=bank_a, donation=donation, component="FFP", product_code="E0004V00")
    scan = quote("=T99992600077800=<E0002V00&>0263411759", safe="")
    response = api(staff_a).get(f"/api/v1/units/din/{scan}")
    assert response.status_code == 200
    assert [u["id"] for u in response.json()] == [red.pk]


@pytest.mark.parametrize(
    ("scan", "english", "indonesian"),
    [
        ("T999926000778A", "Wrong check character", "Karakter cek salah"),
        ("=T99992600077800&>0263661759", "Impossible expiry date", "Tanggal kedaluwarsa mustahil"),
        ("=T99992600077800=)1234", "Unknown data identifier", "Penanda data =) tidak dikenal"),
    ],
)
def test_a_bad_scan_is_a_400_naming_the_field_in_both_languages(api, staff_a, bank_a, scan, english, indonesian):
    path = "/api/v1/units/din/" + quote(scan, safe="")
    for language, says in (("en", english), ("id", indonesian)):
        response = api(staff_a).get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 400
        assert says in response.json()["fields"]["din"][0]
