import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.inventory import stock
from dblood.inventory.models import BloodUnit, UnitEvent
from dblood.inventory.services import unit_transition

from .factories import make_unit

pytestmark = pytest.mark.django_db


def cell(body, site, abo="O", rhd="+", component="PRC"):
    [row] = [
        r
        for r in body["results"]
        if r["site_id"] == site.pk and (r["abo"], r["rhd"], r["component"]) == (abo, rhd, component)
    ]
    return row


def test_public_stock_shape_and_counts(api, bank_a, bank_b, hospital):
    make_unit(site=bank_a, days=3)
    make_unit(site=bank_a, days=10)
    make_unit(site=bank_a, state="quarantined")  # not yet released: not stock
    make_unit(site=bank_b, abo="A", rhd="-", component="FFP")
    response = api().get("/api/v1/stock")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"generated_at", "results", "totals"}
    row = cell(body, bank_a)
    assert set(row) == {
        "site_id",
        "site_name",
        "city",
        "province",
        "abo",
        "rhd",
        "component",
        "available",
        "soonest_expiry",
        "days_of_supply",
        "level",
    }
    assert row["available"] == 2
    assert row["soonest_expiry"][:10] == (timezone.now() + timedelta(days=3)).isoformat()[:10]
    assert row["days_of_supply"] is None and row["level"] == "adequate"  # no demand yet
    # Every group of a component the bank handles is listed; an empty one is critical.
    assert cell(body, bank_a, "B", "-", "PRC")["level"] == "critical"
    # A component the bank does not handle at all (no stock, no issues) is not listed for it.
    assert not [r for r in body["results"] if r["site_id"] == bank_a.pk and r["component"] == "TC"]
    assert {r["component"] for r in body["results"] if r["site_id"] == bank_b.pk} == {"FFP"}
    assert {r["site_id"] for r in body["results"]} == {bank_a.pk, bank_b.pk}  # hospitals hold no stock
    national = {(t["abo"], t["rhd"], t["component"]): t["available"] for t in body["totals"]["national"]}
    assert national[("O", "+", "PRC")] == 2 and national[("A", "-", "FFP")] == 1
    provinces = {
        (t["province"], t["abo"], t["rhd"], t["component"]): t["available"] for t in body["totals"]["provinces"]
    }
    assert provinces[("Jawa Barat", "A", "-", "FFP")] == 1


def test_filters(api, bank_a, bank_b):
    make_unit(site=bank_a)
    make_unit(site=bank_b, abo="A", rhd="-")
    body = api().get("/api/v1/stock", {"province": "jawa barat", "abo": "A", "rhd": "-", "component": "PRC"}).json()
    assert [(r["site_id"], r["available"]) for r in body["results"]] == [(bank_b.pk, 1)]
    assert api().get("/api/v1/stock?site=bank-a&rhd=%2B").json()["results"][0]["site_id"] == bank_a.pk
    assert {r["rhd"] for r in api().get("/api/v1/stock?site=bank-a&rhd=pos").json()["results"]} == {"+"}
    bad = api().get("/api/v1/stock", {"abo": "C"})
    assert bad.status_code == 400 and "abo" in bad.json()["fields"]


def test_levels_from_days_of_supply(api, bank_a, settings):
    settings.STOCK_CRITICAL_DAYS, settings.STOCK_LOW_DAYS = 2, 5
    # 30 issues in 30 days: 1 a day. 3 units on the shelf: 3 days of supply, low.
    issued = [make_unit(site=bank_a, abo="B") for _ in range(30)]
    for unit in issued:
        for state in ("reserved", "issued"):
            unit_transition(unit=unit, to=state)
    UnitEvent.objects.filter(to_state="issued").update(at=timezone.now() - timedelta(days=3))
    for _ in range(3):
        make_unit(site=bank_a, abo="B")
    stock.invalidate()
    row = cell(api().get("/api/v1/stock").json(), bank_a, abo="B")
    assert (row["available"], row["days_of_supply"], row["level"]) == (3, 3.0, "low")
    # Issues older than the window do not count.
    UnitEvent.objects.filter(to_state="issued").update(at=timezone.now() - timedelta(days=31))
    stock.invalidate()
    assert cell(api().get("/api/v1/stock").json(), bank_a, abo="B")["days_of_supply"] is None
    # Issues in the window and an empty shelf: 0 days of supply, critical.
    for unit in list(BloodUnit.objects.filter(abo="B", state="available")):
        unit_transition(unit=unit, to="reserved")
    UnitEvent.objects.filter(to_state="issued").update(at=timezone.now() - timedelta(days=3))
    stock.invalidate()
    row = cell(api().get("/api/v1/stock").json(), bank_a, abo="B")
    assert (row["available"], row["days_of_supply"], row["level"], row["soonest_expiry"]) == (0, 0.0, "critical", None)
    assert stock.level(available=1, days_of_supply=1.9) == "critical"
    assert stock.level(available=9, days_of_supply=5.0) == "adequate"


def test_a_state_change_is_visible_at_once_and_reads_come_from_the_cache(
    api, bank_a, django_assert_num_queries, django_capture_on_commit_callbacks
):
    unit = make_unit(site=bank_a)
    client = api()
    assert cell(client.get("/api/v1/stock").json(), bank_a)["available"] == 1
    with django_assert_num_queries(0):  # served from the cache
        client.get("/api/v1/stock")
        client.get("/api/v1/stock.csv")
    with django_capture_on_commit_callbacks(execute=True):
        unit_transition(unit=unit, to="reserved")
    assert cell(client.get("/api/v1/stock").json(), bank_a)["available"] == 0


def test_query_count_does_not_grow_with_rows(api, bank_a, bank_b, django_assert_num_queries):
    make_unit(site=bank_a)
    with django_assert_num_queries(3):
        api().get("/api/v1/stock")
    for abo in ("A", "B", "AB"):
        for component in ("PRC", "FFP", "TC"):
            make_unit(site=bank_b, abo=abo, component=component)
    stock.invalidate()
    with django_assert_num_queries(3):
        api().get("/api/v1/stock")


def test_csv(api, bank_a):
    make_unit(site=bank_a, abo="AB", rhd="-")
    response = api().get("/api/v1/stock.csv", {"abo": "AB", "rhd": "-", "component": "PRC"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 and rows[0]["available"] == "1" and rows[0]["site_name"] == "UDD A"


def test_while_one_reader_recomputes_the_others_get_the_last_table(api, bank_a, django_assert_num_queries):
    from django.core.cache import cache

    unit = make_unit(site=bank_a)
    client = api()
    assert cell(client.get("/api/v1/stock").json(), bank_a)["available"] == 1
    unit_transition(unit=unit, to="reserved")
    stock.invalidate()
    version = cache.get(stock.STOCK_VERSION_KEY)
    cache.add(f"stock:computing:{version}", 1, 30)  # another reader is recomputing
    with django_assert_num_queries(0):
        assert cell(client.get("/api/v1/stock").json(), bank_a)["available"] == 1  # one change behind
    cache.delete(f"stock:computing:{version}")
    assert cell(client.get("/api/v1/stock").json(), bank_a)["available"] == 0


def test_a_client_that_accepts_gzip_gets_the_cached_gzip_bytes(api, bank_a):
    import gzip
    import json

    make_unit(site=bank_a)
    client = api()
    plain = client.get("/api/v1/stock")
    packed = client.get("/api/v1/stock", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content)
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    csv_packed = client.get("/api/v1/stock.csv", {"abo": "O"}, HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.decompress(csv_packed.content) == client.get("/api/v1/stock.csv", {"abo": "O"}).content


@pytest.mark.django_db
def test_the_unfiltered_stock_served_without_drf_answers_as_the_filtered_one_does(api, bank_a):
    make_unit(site=bank_a)
    client = api()
    plain, filtered = client.get("/api/v1/stock"), client.get("/api/v1/stock", {"province": bank_a.province})
    assert plain.status_code == filtered.status_code == 200
    assert plain.json()["results"] == filtered.json()["results"]
    for response in (plain, filtered):
        assert response["Content-Type"] == "application/json"
        assert {"Accept", "Accept-Encoding"} <= {v.strip() for v in response["Vary"].split(",")}
    # Only a plain GET takes the short way: a bad filter is still DRF's 400 naming the field.
    bad = client.get("/api/v1/stock", {"abo": "Z"})
    assert bad.status_code == 400 and "abo" in bad.json()["fields"]


def test_no_query_string_means_no_filter():
    from dblood.inventory.serializers import StockFilterSerializer

    serializer = StockFilterSerializer(data={})
    assert serializer.is_valid() and serializer.validated_data == {}


def test_each_process_reuses_a_body_briefly_and_sees_its_own_changes_at_once(
    api, bank_a, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    settings.STOCK_LOCAL_SECONDS = 60
    unit = make_unit(site=bank_a)
    client = api()

    def available():
        return cell(client.get("/api/v1/stock").json(), bank_a)["available"]

    assert available() == 1
    # Another process reserves the unit: the shared version moves, this process is not told.
    BloodUnit.objects.filter(pk=unit.pk).update(state="reserved")
    cache.incr(stock.STOCK_VERSION_KEY)
    assert available() == 1  # the body this process kept
    settings.STOCK_LOCAL_SECONDS = 0  # its time is over (or the level is off): memcached has the new version
    assert available() == 0
    settings.STOCK_LOCAL_SECONDS = 60
    with django_capture_on_commit_callbacks(execute=True):
        unit_transition(unit=BloodUnit.objects.get(pk=unit.pk), to="available")
    assert available() == 1  # a change made in this process: at once
