"""ISBT 128 data structures: what a scanner types, read in one place, and what a label prints.

ISBT 128 Standard Technical Specification (docs/domain.md "ISBT 128 data structures"):

    001 DIN                 `=`  + 13-character DIN + 2 flag characters
    002 blood groups        `=%` + gg (ABO/RhD) + r + e
    003 product code        `=<` + product description code (E + 4 digits) + donation type + division (2)
    004 expiration date     `=>` + cyyjjj
    005 expiration date and `&>` + cyyjjjhhmm (century digit, year, day of the year, hour, minute)
        time

A scanner may send several structures concatenated (each starts with its identifier, each has a
fixed length, so they split without a separator). A person may type a single one without its
identifier (a DIN, with or without its check character, is the usual case). Errors name the
structure that is wrong (`din`, `blood_group`, `product_code`, `expires_at`, `identifier`) in the
reader's language.
"""

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
DIN_RE = re.compile(r"^[A-NP-Z1-9][A-Z0-9]{4}[0-9]{2}[0-9]{6}$")
PRODUCT_RE = re.compile(r"^[A-Z][0-9]{4}[A-Z0-9][A-Z0-9][A-Za-z0-9]$")

# 002: the first two characters code ABO and RhD.
GROUP_CODES = {
    "95": ("O", "-"),
    "51": ("O", "+"),
    "06": ("A", "-"),
    "62": ("A", "+"),
    "17": ("B", "-"),
    "73": ("B", "+"),
    "28": ("AB", "-"),
    "84": ("AB", "+"),
}
CODE_OF_GROUP = {group: code for code, group in GROUP_CODES.items()}

DIN, BLOOD_GROUP, PRODUCT_CODE, EXPIRES_AT = "din", "blood_group", "product_code", "expires_at"
IDENTIFIER = "identifier"

# identifier -> (structure, length of the data after the identifier). The DIN's identifier is `=`
# followed by the DIN's first character (A-N, P-Z, 1-9), which no other identifier uses.
IDENTIFIERS = {"=%": (BLOOD_GROUP, 4), "=<": (PRODUCT_CODE, 8), "=>": ("expiry_date", 6), "&>": (EXPIRES_AT, 10)}
DIN_DATA_LENGTH = 15
DIN_FIRST = "ABCDEFGHIJKLMNPQRSTUVWXYZ123456789"
ATTRIBUTE = {DIN: "din", BLOOD_GROUP: "abo", PRODUCT_CODE: "product_code", EXPIRES_AT: "expires"}


class ScanError(ValueError):
    """Scanned or typed ISBT 128 data that is not well formed; `field` names the structure."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Scan:
    """The fields read from one scan; a structure not in the scan is None."""

    din: str | None = None  # the 13 characters
    flags: str = ""  # the two flag characters of 001, when scanned
    abo: str | None = None
    rhd: str | None = None
    product_code: str | None = None  # 8 characters, as in BloodUnit.product_code
    expires: datetime | None = None  # 005, as printed: the collecting bank's local time, naive
    expiry_date: date | None = None  # 004

    @property
    def check(self) -> str | None:
        return check_character(self.din) if self.din else None


def check_value(din: str) -> int:
    """ISO 7064 mod 37-2 over the 13 DIN characters: weights 2^k, k counted from the right from 1."""
    total = 0
    for position, char in enumerate(reversed(din), start=1):
        total += ALPHABET.index(char) * 2**position
    return (38 - total % 37) % 37


def check_character(din: str) -> str:
    return ALPHABET[check_value(din)]


# --- reading ---------------------------------------------------------------------------------


def _din(data: str, *, barcode: bool) -> tuple[str, str]:
    """(DIN, flags) from 13 characters, 13 + check character, or (barcode) 13 + two flags."""
    data = data.upper()
    din, rest = data[:13], data[13:]
    if len(din) != 13 or not DIN_RE.match(din):
        raise ScanError(DIN, _("A DIN is 13 characters: facility number (5), year (2), sequence (6)."))
    if barcode and len(rest) != 2:
        raise ScanError(DIN, _("DIN barcode data is '=' followed by the 13-character DIN and two flag characters."))
    if len(rest) == 1:
        if rest != check_character(din):
            raise ScanError(DIN, _("Wrong check character: the DIN was mistyped or misread."))
        return din, ""
    if len(rest) == 2:
        if not rest.isdigit():
            raise ScanError(DIN, _("The DIN's flag characters must be two digits."))
        if 60 <= int(rest) <= 96 and int(rest) - 60 != check_value(din):
            raise ScanError(DIN, _("Wrong check value in the flags: the DIN was mistyped or misread."))
        return din, rest
    if rest:
        raise ScanError(DIN, _("Too many characters after the DIN."))
    return din, ""


def _group(data: str) -> tuple[str, str]:
    group = GROUP_CODES.get(data[:2])
    if len(data) != 4 or group is None:
        raise ScanError(BLOOD_GROUP, _("Not an ABO/RhD blood group code (for example 51 for O RhD positive)."))
    return group


def _product(data: str) -> str:
    code = data[:6].upper() + data[6:]
    if not PRODUCT_RE.match(code):
        raise ScanError(
            PRODUCT_CODE,
            _("A product code is 8 characters: E and 4 digits, the donation type and two division characters."),
        )
    return code


def _day_of_year(data: str) -> date:
    year, day = 2000 + int(data[:3]), int(data[3:6])
    if not 1 <= day <= (366 if calendar.isleap(year) else 365):
        raise ScanError(EXPIRES_AT, _("Impossible expiry date: day %(day)s of %(year)s.") % {"day": day, "year": year})
    return date.fromordinal(date(year, 1, 1).toordinal() + day - 1)


def _expiry(data: str, *, with_time: bool) -> datetime | date:
    if len(data) != (10 if with_time else 6) or not data.isdigit():
        raise ScanError(EXPIRES_AT, _("An expiry is cyyjjj (date) or cyyjjjhhmm (date and time), digits only."))
    day = _day_of_year(data)
    if not with_time:
        return day
    hour, minute = int(data[6:8]), int(data[8:10])
    if hour > 23 or minute > 59:
        raise ScanError(EXPIRES_AT, _("Impossible expiry time: %(time)s.") % {"time": f"{data[6:8]}:{data[8:10]}"})
    return datetime(day.year, day.month, day.day, hour, minute)


def _with(scan: Scan, structure: str, data: str, *, barcode: bool) -> Scan:
    if structure == DIN:
        din, flags = _din(data, barcode=barcode)
        return replace(scan, din=din, flags=flags)
    if structure == BLOOD_GROUP:
        abo, rhd = _group(data)
        return replace(scan, abo=abo, rhd=rhd)
    if structure == PRODUCT_CODE:
        return replace(scan, product_code=_product(data))
    if structure == EXPIRES_AT:
        return replace(scan, expires=_expiry(data, with_time=True))
    return replace(scan, expiry_date=_expiry(data, with_time=False))


def _bare_structure(text: str, expect: str | None) -> str:
    """Which structure a value typed without its identifier is: the caller's, else by its length."""
    if expect:
        return expect
    by_length = {4: BLOOD_GROUP, 6: "expiry_date", 8: PRODUCT_CODE, 10: EXPIRES_AT}
    if 13 <= len(text) <= 15:
        return DIN
    if len(text) in by_length:
        return by_length[len(text)]
    raise ScanError(IDENTIFIER, _("Not ISBT 128 data: no identifier and no known length."))


def parse_scan(value: str, *, expect: str | None = None, require: tuple[str, ...] = ()) -> Scan:
    """Read what a scanner (or a person) typed: one or more ISBT 128 data structures.

    `expect` is the structure a value without an identifier is (the field's own: `din` for a
    DIN field); without it the value's length tells. `require` lists the structures that must
    be present. Spaces are ignored (eye-readable DINs are printed in groups).
    """
    text = "".join(str(value).split())
    if not text:
        raise ScanError(require[0] if require else IDENTIFIER, _("Nothing was scanned."))
    scan = Scan()
    if text[0] not in "=&":
        scan = _with(scan, _bare_structure(text, expect), text, barcode=False)
    else:
        seen: set[str] = set()
        position = 0
        while position < len(text):
            head = text[position : position + 2]
            if head in IDENTIFIERS:
                structure, length = IDENTIFIERS[head]
                start = position + 2
            elif head[:1] == "=" and len(head) == 2 and head[1].upper() in DIN_FIRST:
                structure, length, start = DIN, DIN_DATA_LENGTH, position + 1
            else:
                raise ScanError(
                    IDENTIFIER,
                    _("Unknown data identifier %(identifier)s: not a structure dblood reads.") % {"identifier": head},
                )
            data = text[start : start + length]
            if len(data) != length and structure == DIN:
                _din(data, barcode=True)  # says what a DIN's barcode data is
            if len(data) != length:
                field = EXPIRES_AT if structure == "expiry_date" else structure
                raise ScanError(field, _("The scan ends in the middle of a data structure."))
            if structure in seen:
                raise ScanError(structure, _("The same data structure was scanned twice."))
            seen.add(structure)
            scan = _with(scan, structure, data, barcode=True)
            position = start + length
    for needed in require:
        if getattr(scan, ATTRIBUTE[needed]) is None:
            raise ScanError(needed, _("The scan does not hold this field."))
    return scan


def scanned(value: str, *, field: str, expect: str | None = None, require: tuple[str, ...] = ()) -> Scan:
    """parse_scan for an api field: a ScanError becomes a 400 naming `field`."""
    try:
        return parse_scan(value, expect=expect, require=require)
    except ScanError as exc:
        raise ValidationError({field: [exc.message]}) from exc


# --- printing --------------------------------------------------------------------------------


def din_data(din: str, flags: str = "00") -> str:
    """001 as a barcode carries it (flags 00: no flag information)."""
    return f"={din}{flags}"


def group_data(abo: str, rhd: str) -> str:
    """002; r and e 00: no Rh/Kell phenotype information, reserved."""
    return f"=%{CODE_OF_GROUP[(abo, rhd)]}00"


def product_data(product_code: str) -> str:
    return f"=<{product_code}"


def expiry_data(local: datetime) -> str:
    """005 from the expiry in the collecting bank's local time."""
    return f"&>{local.year - 2000:03d}{local.timetuple().tm_yday:03d}{local.hour:02d}{local.minute:02d}"
