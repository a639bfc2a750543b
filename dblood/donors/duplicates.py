"""Likely duplicate donors: the same NIK, or a similar name with the same birth date and sex (as
BSIS matches them). Looked for whenever a record gets or changes those details (the donor's own
profile after sign-up, a walk-in at the desk, the admin) and kept as `DuplicatePair` rows for bank
staff and admins to review and merge (donors.merge).

Names are compared by RapidFuzz's token-sort ratio after accents, case and punctuation are
dropped, so "Siti Nurhaliza" matches "NURHALIZA, Siti" and "Sïti Nurhalisa"; the threshold is
DUPLICATE_NAME_SCORE. Only records of the same birth date and sex are compared (an index), never
the whole register.
"""

import unicodedata

from django.conf import settings
from django.db.models import Q, QuerySet
from rapidfuzz import fuzz, utils

from .models import Donor, DuplicatePair

# Records of one birth date and sex compared at most (a register of millions has a few hundred).
MAX_COMPARED = 500
NIK_SCORE = 100


def name_key(name: str) -> str:
    """A name as compared: accents dropped, lower case, letters and digits only."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return utils.default_process(plain)


def name_score(a: str, b: str) -> int:
    return round(fuzz.token_sort_ratio(name_key(a), name_key(b)))


def likely_duplicates_of(donor: Donor) -> list[tuple[Donor, int]]:
    """Unmerged records with the same birth date and sex and a similar name, with their scores."""
    if donor.birth_date is None or not donor.sex:
        return []
    name = donor.user.full_name
    others = (
        Donor.objects.filter(birth_date=donor.birth_date, sex=donor.sex, merged_into__isnull=True)
        .exclude(pk=donor.pk)
        .values_list("pk", "user__full_name")[:MAX_COMPARED]
    )
    threshold = settings.DUPLICATE_NAME_SCORE
    found = []
    for pk, other_name in others:
        score = name_score(name, other_name)
        if score >= threshold:
            found.append((pk, score))
    by_pk = Donor.objects.in_bulk([pk for pk, _score in found])
    return [(by_pk[pk], score) for pk, score in found]


def duplicates_record(*, donor: Donor, via: str, same_nik: Donor | None = None) -> int:
    """Keep the likely duplicates of `donor` (and `same_nik`, a record that already holds the NIK
    `donor` was given) as pairs; returns how many pairs `donor` is in now that are still open."""
    pairs = [
        _pair(donor, other, reason=DuplicatePair.Reason.NAME, score=score, via=via)
        for other, score in likely_duplicates_of(donor)
    ]
    if same_nik is not None and same_nik.pk != donor.pk:
        pairs.append(_pair(donor, same_nik, reason=DuplicatePair.Reason.NIK, score=NIK_SCORE, via=via))
    # A pair found again is kept as first found (the unique constraint; two desks at once too).
    DuplicatePair.objects.bulk_create(pairs, ignore_conflicts=True)
    return open_pairs().filter(Q(first=donor) | Q(second=donor)).count()


def _pair(a: Donor, b: Donor, *, reason: str, score: int, via: str) -> DuplicatePair:
    first, second = sorted([a.pk, b.pk])
    return DuplicatePair(first_id=first, second_id=second, reason=reason, score=score, found_via=via)


def open_pairs() -> QuerySet[DuplicatePair]:
    """Pairs still to review: neither record has been merged (into anyone) since."""
    return DuplicatePair.objects.filter(first__merged_into__isnull=True, second__merged_into__isnull=True)
