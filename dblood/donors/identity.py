"""The donor's NIK (Nomor Induk Kependudukan, the national identity number): its rules, and how it
is kept.

Layout (Dukcapil): 16 digits = province (2), regency or city (2), district (2), birth date DDMMYY
with 40 added to the day for women, serial (4). `nik_problems` checks the digits against the
donor's birth date and sex.

At rest the NIK is a Fernet token (AES-128-CBC with an HMAC-SHA256; the `cryptography` package)
under the keyring NIK_ENCRYPTION_KEYS: the first key encrypts, every key decrypts, so a key is
rotated by putting a new one first and re-encrypting (`manage.py nik_rekey`), then dropping the old
one. It is found by `nik_digest`, an HMAC-SHA256 under a separate key (NIK_HASH_KEY): the unique
index on it makes one NIK one donor nationally, and the digest alone tells nothing without the key.
Outside the donor's own page and the bank desk that verifies it, only `nik_mask` is shown.
"""

import functools
import hashlib
import hmac
from datetime import date

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _

from dblood.core.blood import Sex

NIK_LENGTH = 16
# Province codes of the Ministry of Home Affairs (Kemendagri), Aceh 11 to Papua Barat Daya 96.
PROVINCE_CODES = frozenset(
    [*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77), 81, 82, *range(91, 97)]
)
FEMALE_DAY_OFFSET = 40


def nik_normalise(value: str) -> str:
    """What was typed, without the spaces, dots and dashes people write a NIK with."""
    return "".join(ch for ch in str(value) if ch not in " .-")


def _birth_from_digits(digits: str, *, century_of: date | None) -> tuple[date | None, str | None]:
    """(birth date, sex) read from the DDMMYY part; (None, None) when they are no date."""
    day, month, year = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    sex = Sex.MALE
    if day > FEMALE_DAY_OFFSET:
        day, sex = day - FEMALE_DAY_OFFSET, Sex.FEMALE
    full_year = (century_of.year // 100) * 100 + year if century_of else 2000 + year
    try:
        return date(full_year, month, day), sex
    except ValueError:
        return None, None


def nik_problems(nik: str, *, birth_date: date | None, sex: str) -> list[str]:
    """Why `nik` cannot be this donor's (empty: it can). `nik` is normalised already."""
    if len(nik) != NIK_LENGTH or not nik.isascii() or not nik.isdigit():
        return [_("A NIK is 16 digits.")]
    problems = []
    if int(nik[0:2]) not in PROVINCE_CODES:
        problems.append(_("The NIK's first two digits (%(code)s) are no Indonesian province.") % {"code": nik[0:2]})
    if nik[2:4] == "00" or nik[4:6] == "00":
        problems.append(_("The NIK's regency and district codes (digits 3 to 6) cannot be 00."))
    if nik[12:16] == "0000":
        problems.append(_("The NIK's last four digits cannot be 0000."))
    born, nik_sex = _birth_from_digits(nik[6:12], century_of=birth_date)
    if born is None:
        problems.append(_("The NIK's birth-date digits (7 to 12) are no date."))
        return problems
    if birth_date is None or not sex:
        problems.append(_("Give your birth date and sex with the NIK: they are checked against it."))
        return problems
    if nik_sex != sex:
        problems.append(
            _("The NIK's birth-date digits are a woman's (day plus 40) and the sex given is male.")
            if nik_sex == Sex.FEMALE
            else _("The NIK's birth-date digits are a man's and the sex given is female (a woman's day has 40 added).")
        )
    if (born.day, born.month, born.year % 100) != (birth_date.day, birth_date.month, birth_date.year % 100):
        problems.append(_("The NIK's birth-date digits do not match the birth date given."))
    return problems


@functools.lru_cache(maxsize=4)
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def keyring() -> MultiFernet:
    return _keyring(tuple(settings.NIK_ENCRYPTION_KEYS))


def nik_encrypt(nik: str) -> str:
    return keyring().encrypt(nik.encode()).decode()


def nik_decrypt(token: str) -> str:
    """The NIK a stored token holds ("" for none). A token no key opens is a configuration error
    (a key dropped from the ring too early): raised, never shown as an empty NIK."""
    if not token:
        return ""
    return keyring().decrypt(token.encode()).decode()


def nik_reencrypt(token: str) -> str:
    """The same NIK under the ring's first key (key rotation)."""
    return keyring().rotate(token.encode()).decode()


def nik_digest(nik: str) -> str:
    """The keyed hash a NIK is looked up and kept unique by."""
    return hmac.new(settings.NIK_HASH_KEY.encode(), nik.encode(), hashlib.sha256).hexdigest()


def nik_mask(nik: str) -> str:
    """3174********0001: the region and the serial, never the birth date."""
    return f"{nik[:4]}{'*' * 8}{nik[-4:]}" if nik else ""


@checks.register(checks.Tags.security, deploy=False)
def check_nik_keys(app_configs=None, **kwargs):
    """Every key of NIK_ENCRYPTION_KEYS must be a Fernet key, and NIK_HASH_KEY long enough."""
    errors = []
    try:
        _keyring(tuple(settings.NIK_ENCRYPTION_KEYS))
    except (ValueError, TypeError):
        errors.append(
            checks.Error(
                "NIK_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 bytes, URL-safe base64).",
                hint='Make one with python3 -c "import base64, secrets; '
                'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"',
                id="donors.E001",
            )
        )
    if len(settings.NIK_HASH_KEY) < 16:
        errors.append(checks.Error("NIK_HASH_KEY is shorter than 16 characters.", id="donors.E002"))
    return errors
