"""The release rule (docs/domain.md), in one place, and the repeat-reactive screening algorithm.

A unit becomes AVAILABLE only when its donation is released, and a donation is released only
when `release_blockers` is empty: ABO/RhD typing is complete and agrees with the donor's
confirmed group, and every required screening test is finally non-reactive.
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Donation, ScreeningResult

T = ScreeningResult.Test


class Outcome:
    PENDING = "pending"  # no result yet
    REPEAT_PENDING = "repeat_pending"  # first test reactive: waiting for the duplicate repeat
    NON_REACTIVE = "non_reactive"  # final
    REACTIVE = "reactive"  # final: the donation is unsafe

    FINAL = frozenset({NON_REACTIVE, REACTIVE})


def required_tests() -> list[str]:
    """Mandatory in Indonesia: HIV, HBV, HCV, syphilis; malaria where SCREENING_MALARIA is on."""
    tests = [T.HIV, T.HBV, T.HCV, T.SYPHILIS]
    if settings.SCREENING_MALARIA:
        tests.append(T.MALARIA)
    return [str(t) for t in tests]


def screening_outcome(results: Iterable[ScreeningResult]) -> str:
    """Repeat-reactive algorithm for one test.

    Attempt 1 non-reactive: non-reactive. Attempt 1 reactive: repeat in duplicate (attempts 2 and 3,
    same reagent); either repeat reactive: reactive; both non-reactive: non-reactive.
    """
    by_attempt = {r.attempt: r.reactive for r in results}
    if 1 not in by_attempt:
        return Outcome.PENDING
    if not by_attempt[1]:
        return Outcome.NON_REACTIVE
    if by_attempt.get(2) or by_attempt.get(3):
        return Outcome.REACTIVE
    if 2 in by_attempt and 3 in by_attempt:
        return Outcome.NON_REACTIVE
    return Outcome.REPEAT_PENDING


def screening_summary(donation: Donation, results: Iterable[ScreeningResult] | None = None) -> dict[str, str]:
    """Outcome per required test (plus any other test that has results)."""
    results = list(donation.screening_results.all() if results is None else results)
    tests = required_tests() + sorted({r.test for r in results} - set(required_tests()))
    return {test: screening_outcome(r for r in results if r.test == test) for test in tests}


# How each test and each state reads in a sentence (the codes stay in `screening`).
_TEST_NAMES = {
    "hiv": "HIV",
    "hbv": "HBV",
    "hcv": "HCV",
    "syphilis": gettext_lazy("syphilis"),
    "malaria": gettext_lazy("malaria"),
}
_STATES = {
    Outcome.PENDING: gettext_lazy("no result yet"),
    Outcome.REPEAT_PENDING: gettext_lazy("first result reactive, waiting for the repeat in duplicate"),
    Outcome.REACTIVE: gettext_lazy("reactive"),
    Outcome.NON_REACTIVE: gettext_lazy("non-reactive"),
}


def in_words(*, test: str, outcome: str = "") -> dict[str, str]:
    """A test and its outcome as they read inside a sentence, in the reader's language."""
    return {"test": str(_TEST_NAMES.get(test, test)), "outcome": str(_STATES.get(outcome, outcome))}


def release_blockers(donation: Donation, summary: dict[str, str] | None = None) -> list[str]:
    """THE release rule: why this donation's units may not become available (empty: they may), as
    sentences in the reader's language."""
    summary = screening_summary(donation) if summary is None else summary
    blockers = []
    if donation.outcome == Donation.Outcome.INCOMPLETE:
        blockers.append(_("The collection was incomplete."))
    if donation.outcome == Donation.Outcome.ADVERSE_EVENT:
        blockers.append(_("The collection ended in an adverse event."))
    if not donation.is_typed:
        blockers.append(_("ABO/RhD typing is not complete."))
    if donation.status == Donation.Status.HELD:
        blockers.append(_("The typed group disagrees with the donor's confirmed group."))
    if donation.status == Donation.Status.REJECTED:
        blockers.append(_("A screening test was reactive."))
    for test in required_tests():
        state = summary.get(test)
        if state != Outcome.NON_REACTIVE:
            blockers.append(
                _("Screening for %(test)s is not finally non-reactive (%(state)s).")
                % {"test": _TEST_NAMES.get(test, test), "state": _STATES.get(state, state)}
            )
    return blockers
