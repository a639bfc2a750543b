"""Races on the suite's real PostgreSQL: two staff members concluding one reaction at once, two
coding one donor report at once; exactly one wins, the other gets the 409."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dblood.accounts.models import Membership, User
from dblood.haemovigilance.complications import complication_code, complication_report_by_donor
from dblood.haemovigilance.models import DonorComplication, TransfusionReaction
from dblood.haemovigilance.reactions import reaction_conclude, reaction_investigate, reaction_report
from dblood.inventory.tests.factories import make_donation, make_donor, make_unit
from dblood.sites.models import Site
from testing.personas import make_site, make_user
from testing.races import race

pytestmark = pytest.mark.django_db(transaction=True)


def _staff(email, site):
    user = make_user(email, User.Role.BLOOD_BANK_STAFF)
    Membership.objects.create(user=user, site=site)
    return User.objects.get(pk=user.pk)


def test_two_concluding_one_reaction_at_once_leave_one_conclusion():
    assert connection.vendor == "postgresql"
    bank = make_site("race-bank")
    hospital = make_site("race-hosp", kind=Site.Kind.HOSPITAL, verified_by=bank)
    nurse = make_user("race.nurse@example.org", User.Role.HOSPITAL_STAFF)
    Membership.objects.create(user=nurse, site=hospital)
    nurse = User.objects.get(pk=nurse.pk)
    now = timezone.now()
    unit = make_unit(site=bank, state="issued", issued_to=hospital, issued_at=now - timedelta(hours=3))
    reaction = reaction_report(
        by=nurse,
        unit_ids=[unit.pk],
        category="allergic",
        severity="non_severe",
        imputability="possible",
        transfusion_started_at=now - timedelta(hours=2),
        onset_at=now - timedelta(hours=1),
        signs=["urticaria"],
    )
    first, second = _staff("race.a@example.org", bank), _staff("race.b@example.org", bank)
    assert first.site_ids and second.site_ids  # computed before the threads share them
    reaction_investigate(reaction=reaction, by=first)
    calls = [
        lambda by=by, text=text: reaction_conclude(
            reaction=TransfusionReaction.objects.get(pk=reaction.pk),
            by=by,
            category="allergic",
            severity="non_severe",
            imputability=text,
            conclusion=f"Concluded {text}.",
        )
        for by, text in [(first, "likely"), (second, "certain")] * 3
    ]
    outcomes = race(calls, done="concluded")
    assert sorted(outcomes) == ["concluded"] + ["reaction_concluded"] * 5, outcomes
    reaction.refresh_from_db()
    assert reaction.status == "concluded" and reaction.conclusion == f"Concluded {reaction.concluded_imputability}."


def test_two_coding_one_donor_report_at_once_code_it_once():
    bank = make_site("race-bank-2")
    donor_user = make_user("race.donor@example.org")
    donation = make_donation(donor=make_donor(donor_user), site=bank, collected_at=timezone.now() - timedelta(days=1))
    report = complication_report_by_donor(
        by=donor_user,
        donation_id=donation.pk,
        symptoms=["faint"],
        occurred_at=timezone.now() - timedelta(hours=12),
        still_unwell=False,
    )
    clerks = [_staff(f"race.clerk{n}@example.org", bank) for n in range(4)]
    for clerk in clerks:
        assert clerk.site_ids
    codes = dict(severity="non_severe", onset="delayed", outcome="resolved", follow_up="advice")
    category = ["vasovagal_delayed", "vasovagal_delayed_injury"]
    calls = [
        lambda by=clerk, n=n: complication_code(
            complication=DonorComplication.objects.get(pk=report.pk), by=by, category=category[n % 2], **codes
        )
        for n, clerk in enumerate(clerks)
    ]
    outcomes = race(calls, done="coded")
    assert sorted(outcomes) == ["coded"] + ["complication_coded"] * 3, outcomes
    report.refresh_from_db()
    assert report.status == "recorded" and report.category in category
