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

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*"
DIN_RE = re.compile(r"^[A-NP-Z1-9][A-Z0-9]{4}[0-9]{2}[0-9]{6}$")
FIN_RE = re.compile(r"^[A-NP-Z1-9][A-Z0-9]{4}$")
SEQUENCE_MAX = 999_999


class DinError(ValueError):
    """A typed or scanned DIN that is not well formed or whose check character is wrong."""


def check_value(din: str) -> int:
    """ISO 7064 mod 37-2 over the 13 DIN characters: weights 2^k, k counted from the right from 1."""
    total = 0
    for position, char in enumerate(reversed(din), start=1):
        total += ALPHABET.index(char) * 2**position
    return (38 - total % 37) % 37


def check_character(din: str) -> str:
    return ALPHABET[check_value(din)]


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
    """Read a DIN as typed or scanned, validating what it carries.

    Accepted: the 13 characters; 13 + the check character (verified); the barcode data
    `=` + 13 + two flags (verified when the flags carry the check, 60-96). Spaces are ignored.
    """
    text = "".join(str(value).split()).upper()
    if text.startswith("="):
        text = text[1:]
        if len(text) != 15:
            raise DinError("Barcode data must be '=' followed by the 13-character DIN and two flag characters.")
    din, rest = text[:13], text[13:]
    if len(din) != 13 or not DIN_RE.match(din):
        raise DinError("A DIN is 13 characters: facility number (5), year (2), sequence (6).")
    if len(rest) == 1:
        if rest not in ALPHABET or rest != check_character(din):
            raise DinError("Wrong check character: the DIN was mistyped or misread.")
    elif len(rest) == 2:
        if not rest.isdigit():
            raise DinError("Flag characters must be two digits.")
        flag = int(rest)
        if 60 <= flag <= 96 and flag - 60 != check_value(din):
            raise DinError("Wrong check value in the flags: the DIN was mistyped or misread.")
    elif rest:
        raise DinError("Too many characters after the DIN.")
    return ParsedDin(din=din, fin=din[:5], year=din[5:7], sequence=int(din[7:]), flags=rest if len(rest) == 2 else "")


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
