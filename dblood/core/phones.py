"""Phone numbers as E.164 ("+62812..."), the form SMS gateways and WhatsApp address.

Indonesian numbers are written many ways ("0812-3456-7890", "62 812 3456 7890", "+62 (812) 3456
7890"): each becomes "+62" and the national significant number without its trunk "0". A number
already in another country's international form ("+65 ...") is kept as E.164. Indonesian national
significant numbers are 8 to 12 digits (mobiles start with 8; area codes with 2-9).
"""

import re

_SEPARATORS = re.compile(r"[\s\-.()/]")
_E164 = re.compile(r"\+[1-9]\d{7,14}")
_INDONESIA = re.compile(r"\+62[2-9]\d{7,11}")
_INDONESIAN_MOBILE = re.compile(r"\+628\d{8,11}")


class PhoneError(ValueError):
    """The text is not a phone number this module can put in E.164 form."""


def to_e164(text: str) -> str:
    """`text` as E.164, or PhoneError. A number without a country code is read as Indonesian."""
    compact = _SEPARATORS.sub("", text or "")
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    if compact.startswith("+"):
        number = compact
    elif compact.startswith("62"):
        number = "+" + compact
    elif compact.startswith("0"):
        number = "+62" + compact[1:]
    else:
        number = "+62" + compact
    if number.startswith("+62"):
        if number.startswith("+620"):
            number = "+62" + number[4:]  # "+62 0812...": the trunk 0 written after the country code
        if not _INDONESIA.fullmatch(number):
            raise PhoneError(text)
        return number
    if not _E164.fullmatch(number):
        raise PhoneError(text)
    return number


def is_mobile(e164: str) -> bool:
    """Can the number take an SMS or a WhatsApp message? Indonesian landlines cannot; a foreign
    number is given the benefit of the doubt (the provider reports a failure if it is a landline)."""
    if e164.startswith("+62"):
        return bool(_INDONESIAN_MOBILE.fullmatch(e164))
    return bool(_E164.fullmatch(e164))
