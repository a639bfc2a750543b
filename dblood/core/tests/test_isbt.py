"""One parser for what a scanner types: each ISBT 128 data structure, concatenations, malformed input."""

from datetime import date, datetime

import pytest
from django.utils import translation

from dblood.core import isbt
from dblood.core.isbt import ScanError, parse_scan

DIN = "G123498654321"  # docs/domain.md's worked example: check character H, check value 17


def rejects(text: str, field: str, **kwargs) -> str:
    with pytest.raises(ScanError) as caught:
        parse_scan(text, **kwargs)
    assert caught.value.field == field, caught.value.message
    return caught.value.message


# --- 001 DIN ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "flags"),
    [
        (DIN, ""),
        (DIN + "H", ""),  # with the check character
        ("g1234 98 654321 h", ""),  # eye-readable, typed in lower case
        ("=" + DIN + "00", "00"),  # barcode data, flags unused
        ("=" + DIN + "77", "77"),  # flags carrying the check value + 60
        (DIN + "77", "77"),
    ],
)
def test_din_forms(typed, flags):
    scan = parse_scan(typed)
    assert (scan.din, scan.flags, scan.check) == (DIN, flags, "H")
    assert scan.abo is None and scan.product_code is None and scan.expires is None


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        (DIN + "A", "check character"),
        ("=" + DIN + "78", "check value"),
        ("O123498654321", "13 characters"),  # O is never the first character
        ("G1234986543X1", "13 characters"),  # letters in the sequence
        ("=" + DIN + "H", "two flag characters"),  # barcode data carries flags, not the check
        ("=" + DIN + "7A", "two digits"),
        (DIN + "HH", "two digits"),
    ],
)
def test_din_malformed(typed, says):
    assert says in rejects(typed, "din")


def test_a_din_field_reads_a_short_value_as_a_din():
    assert "13 characters" in rejects("G12349865432", "din", expect="din")


# --- 002 blood groups ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("95", ("O", "-")),
        ("51", ("O", "+")),
        ("06", ("A", "-")),
        ("62", ("A", "+")),
        ("17", ("B", "-")),
        ("73", ("B", "+")),
        ("28", ("AB", "-")),
        ("84", ("AB", "+")),
    ],
)
def test_blood_groups(code, group):
    assert (parse_scan(f"=%{code}00").abo, parse_scan(f"=%{code}00").rhd) == group
    assert parse_scan(f"{code}00").rhd == group[1]  # without its identifier: four characters
    assert isbt.group_data(*group) == f"=%{code}00"


def test_an_unknown_group_code_is_refused():
    assert "blood group" in rejects("=%9900", "blood_group")


# --- 003 product code ------------------------------------------------------------------------


def test_product_code():
    assert parse_scan("=<E0001V00").product_code == "E0001V00"
    assert parse_scan("E0001V00").product_code == "E0001V00"
    assert parse_scan("=<E0001VAb").product_code == "E0001VAb"  # second-level division is lower case
    assert isbt.product_data("E0001V00") == "=<E0001V00"


@pytest.mark.parametrize("typed", ["=<E00X1V00", "=<10001V00", "E0001V-0"])
def test_malformed_product_codes(typed):
    assert "product code" in rejects(typed, "product_code")


# --- 004 / 005 expiry --------------------------------------------------------------------------


def test_expiry_date_and_time():
    assert parse_scan("&>0263411759").expires == datetime(2026, 12, 7, 17, 59)  # day 341 of 2026
    assert parse_scan("0263411759").expires == datetime(2026, 12, 7, 17, 59)
    assert parse_scan("&>0240602359").expires == datetime(2024, 2, 29, 23, 59)  # leap year
    assert parse_scan("=>026341").expiry_date == date(2026, 12, 7)
    assert isbt.expiry_data(datetime(2026, 12, 7, 17, 59)) == "&>0263411759"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("&>0263660000", "day 366 of 2026"),  # 2026 is not a leap year
        ("&>0260000000", "day 0"),
        ("&>0263412400", "24:00"),
        ("&>0263411260", "12:60"),
        ("&>02634117A9", "digits only"),
        ("=>026367", "day 367"),
    ],
)
def test_impossible_expiries(typed, says):
    assert says in rejects(typed, "expires_at")


# --- concatenation and malformed input -----------------------------------------------------------


def test_concatenated_structures_split_by_their_identifiers():
    scan = parse_scan(f"={DIN}00=%5100=<E0001V00&>0263411759")
    assert scan.din == DIN and (scan.abo, scan.rhd) == ("O", "+")
    assert scan.product_code == "E0001V00" and scan.expires == datetime(2026, 12, 7, 17, 59)
    either_order = parse_scan(f"=<E0001V00 ={DIN}00")  # in any order, spaces ignored
    assert (either_order.din, either_order.product_code) == (DIN, "E0001V00")


def test_one_bad_structure_in_a_concatenation_names_itself():
    assert "check value" in rejects(f"={DIN}78=<E0001V00", "din")
    assert "day 400" in rejects(f"={DIN}00&>0264001759", "expires_at")


@pytest.mark.parametrize("typed", ["=)1234", "&)0263411759", "=0" + DIN[1:] + "00", f"={DIN}00*E0001"])
def test_unknown_identifiers(typed):
    assert "identifier" in rejects(typed, "identifier")


def test_a_scan_cut_short_or_doubled():
    assert "middle" in rejects("=<E0001", "product_code")
    assert "twice" in rejects(f"={DIN}00={DIN}00", "din")


def test_no_identifier_and_no_known_length():
    assert "identifier" in rejects("12345", "identifier")
    assert "Nothing" in rejects("  ", "din", require=("din",))


def test_a_required_structure_must_be_there():
    assert rejects("=<E0001V00", "din", require=("din",))


def test_messages_in_indonesian():
    with translation.override("id"):
        message = rejects(DIN + "A", "din")
    assert message != "Wrong check character: the DIN was mistyped or misread."
    assert "cek" in message.lower()
