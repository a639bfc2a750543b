"""ISBT 128 Donation Identification Numbers (docs/domain.md).

A DIN is 13 characters: the facility identification number (FIN, 5: `αpppp`, α is A-N, P-Z or
1-9), the nominal year (2) and a sequence per FIN per year (6). On a label it is followed by an
ISO 7064 mod 37-2 check character; in barcode data it is `=` + DIN + two flag characters, where
flags 60-96 carry the check value + 60 instead.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from dblood.core.isbt import ALPHABET, DIN_RE, ScanError, check_character, check_value, parse_scan

__all__ = ["ALPHABET", "DIN_RE", "DinError", "ParsedDin", "ScanError", "check_character", "check_value", "parse"]

FIN_RE = re.compile(r"^[A-NP-Z1-9][A-Z0-9]{4}$")
SEQUENCE_MAX = 999_999


class DinError(ValueError):
    """The DIN allocation cannot go on (a misconfigured facility number, an exhausted sequence)."""


@dataclass(frozen=True)
class ParsedDin:
    din: str  # the 13 characters
    fin: str
    year: str
    sequence: int
    flags: str = ""

    @property
    def check(self) -> str:
        return check_character(self.din)

    @property
    def eye_readable(self) -> str:
        """As printed under the barcode: `W1234 26 000123 K` (check character boxed on a label)."""
        return f"{self.fin} {self.year} {self.din[7:]} {self.check}"


def parse(value: str) -> ParsedDin:
    """Read a DIN as typed or scanned (dblood.core.isbt.parse_scan; a ScanError names what is wrong).

    Accepted: the 13 characters; 13 + the check character (verified); the barcode data
    `=` + 13 + two flags (verified when the flags carry the check, 60-96), alone or with other
    data structures scanned after it. Spaces are ignored.
    """
    scan = parse_scan(value, expect="din", require=("din",))
    din = str(scan.din)  # required above
    return ParsedDin(din=din, fin=din[:5], year=din[5:7], sequence=int(din[7:]), flags=scan.flags)


def facility_number() -> str:
    fin = settings.DIN_FACILITY_NUMBER.upper()
    if not FIN_RE.match(fin):
        raise DinError(f"DIN_FACILITY_NUMBER {fin!r} is not a FIN (5 characters, first A-N, P-Z or 1-9).")
    return fin


def next_sequence(*, fin: str, year: int) -> int:
    """The next number in this FIN's sequence for `year` (4-digit).

    Race: two collections completed at the same moment must never get the same number. The
    database settles it: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING is a single atomic
    statement; concurrent callers queue on the row lock and each gets its own value. It runs in
    the caller's transaction, so a rolled-back donation gives its number back (no gaps needed).
    """
    table = "donations_dinsequence"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (fin, year, last) VALUES (%s, %s, 1) "  # noqa: S608 - constant table name
            f"ON CONFLICT (fin, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [fin, year],
        )
        (value,) = cursor.fetchone()
    if value > SEQUENCE_MAX:
        raise DinError(f"The DIN sequence for {fin} in {year} is exhausted.")
    return value


def din_allocate(*, year: int, fin: str | None = None) -> str:
    """A new DIN for a collection in `year` (the nominal year: its last two digits)."""
    fin = fin or facility_number()
    sequence = next_sequence(fin=fin, year=year)
    return f"{fin}{year % 100:02d}{sequence:06d}"
