import threading
from datetime import date

import pytest
from django.db import connection
from rest_framework import serializers

from dblood.core.serializers import StrictSerializer
from dblood.donations import din as isbt
from dblood.donations.fields import DinField


def test_facts_worked_example():
    assert isbt.check_value("G123498654321") == 17
    assert isbt.check_character("G123498654321") == "H"


@pytest.mark.parametrize(
    "typed",
    ["G123498654321", "G123498654321H", "g1234 98 654321 h", "=G12349865432177", "=G12349865432100"],
)
def test_accepted_forms(typed):
    assert isbt.parse(typed).din == "G123498654321"


@pytest.mark.parametrize(
    "typed",
    [
        "G123498654321A",  # wrong check character
        "=G12349865432178",  # flags carry a wrong check value
        "O123498654321",  # O is never the first character
        "0123498654321",
        "G12349865432",  # too short
        "G1234986543X1",  # letters in the sequence
        "G123498654321HH",
    ],
)
def test_rejected_forms(typed):
    with pytest.raises(isbt.ScanError):
        isbt.parse(typed)


class ScanSerializer(StrictSerializer):
    din = DinField()


def test_serializer_field_names_itself():
    ok = ScanSerializer(data={"din": "G123498654321H"})
    assert ok.is_valid(), ok.errors
    assert ok.validated_data["din"] == "G123498654321"
    bad = ScanSerializer(data={"din": "G123498654321A"})
    assert not bad.is_valid()
    assert "check character" in str(bad.errors["din"][0])
    with pytest.raises(serializers.ValidationError):
        bad.is_valid(raise_exception=True)


@pytest.mark.django_db
def test_allocation_uses_the_setting_and_the_nominal_year(settings):
    settings.DIN_FACILITY_NUMBER = "W1234"
    first = isbt.din_allocate(year=2026)
    second = isbt.din_allocate(year=2026)
    other_year = isbt.din_allocate(year=2027)
    assert (first, second, other_year) == ("W123426000001", "W123426000002", "W123427000001")
    assert isbt.parse(first + isbt.check_character(first)).sequence == 1


@pytest.mark.django_db
def test_the_default_is_a_test_facility_number():
    assert isbt.din_allocate(year=date.today().year)[:5] == "T9999"


@pytest.mark.django_db(transaction=True)
def test_no_duplicates_under_concurrency():
    """25 clients allocate 4 DINs each at once on PostgreSQL: 100 distinct, gap-free numbers."""
    assert connection.vendor == "postgresql"
    clients, each = 25, 4
    barrier = threading.Barrier(clients)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work():
        try:
            barrier.wait()
            for _ in range(each):
                from django.db import transaction

                with transaction.atomic():
                    value = isbt.din_allocate(year=2026)
                with lock:
                    results.append(value)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == len(set(results)) == clients * each
    assert sorted(int(v[7:]) for v in results) == list(range(1, clients * each + 1))


def test_serializer_field_speaks_indonesian():
    from django.utils import translation

    with translation.override("id"):
        bad = ScanSerializer(data={"din": "G123498654321A"})
        assert not bad.is_valid()
        assert "Karakter cek salah" in str(bad.errors["din"][0])
