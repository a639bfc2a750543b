"""The lab's worklist: what each donation still needs, the tightest processing deadline first."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.donations.lab import screening_record, typing_record
from dblood.donations.models import Donation
from dblood.donations.services import donation_separate
from dblood.inventory.tests.factories import make_donation, screen_and_release
from testing.labels import label_check

pytestmark = pytest.mark.django_db


def _worklist(api, staff):
    response = api(staff).get("/api/v1/donations/worklist")
    assert response.status_code == 200, response.content
    return response.json()


def test_each_donation_lists_what_is_left_and_done_ones_leave(api, staff_a, staff_b, bank_a, bank_b):
    hours_ago = timezone.now() - timedelta(hours=2)
    fresh = make_donation(site=bank_a, collected_at=hours_ago)
    typed = make_donation(site=bank_a, collected_at=hours_ago - timedelta(minutes=30))
    typing_record(donation=typed, abo="O", rhd="+", by=staff_a)
    screening_record(donation=typed, test="hiv", reactive=False, by=staff_a)
    screening_record(donation=typed, test="hcv", reactive=True, by=staff_a)  # first reactive: repeat due
    done = make_donation(site=bank_a)
    screen_and_release(done)
    donation_separate(donation=done, components=[{"component": "PRC"}], by=staff_a)
    label_check(done.units.get(), by=staff_a)  # its final label printed and scanned: in stock, done
    make_donation(site=bank_b)  # another bank's
    rows = {row["id"]: row for row in _worklist(api, staff_a)}
    assert set(rows) == {fresh.pk, typed.pk}
    assert rows[fresh.pk]["steps"] == [
        "typing",
        "screen:hiv",
        "screen:hbv",
        "screen:hcv",
        "screen:syphilis",
        "separation",
    ]
    assert rows[typed.pk]["steps"] == ["screen:hbv", "screen:syphilis", "repeat:hcv", "separation"]
    assert rows[fresh.pk]["din"] == fresh.din and rows[fresh.pk]["site_name"] == bank_a.name
    assert [row["site_name"] for row in _worklist(api, staff_b)] == [bank_b.name]  # each bank its own


def test_the_tightest_processing_window_comes_first(api, staff_a, bank_a):
    older_blood = make_donation(site=bank_a, collected_at=timezone.now() - timedelta(hours=5))
    newer_blood = make_donation(site=bank_a, collected_at=timezone.now() - timedelta(hours=1))
    rows = _worklist(api, staff_a)
    assert [row["id"] for row in rows] == [older_blood.pk, newer_blood.pk]
    assert rows[0]["separate_by"] is not None and rows[0]["late"] is False
    # Past its window: still listed (the lab must know), and marked late.
    make_donation(site=bank_a, collected_at=timezone.now() - timedelta(days=3))
    assert _worklist(api, staff_a)[0]["late"] is True


def test_separated_but_untested_stays_and_leaves_once_released_and_its_label_checked(api, staff_a, bank_a):
    donation = make_donation(site=bank_a)
    typing_record(donation=donation, abo="A", rhd="+", by=staff_a)
    donation_separate(donation=donation, components=[{"component": "PRC"}], by=staff_a)
    [row] = _worklist(api, staff_a)
    assert "separation" not in row["steps"] and row["separate_by"] is None
    for test in ("hiv", "hbv", "hcv", "syphilis"):
        screening_record(donation=donation, test=test, reactive=False, by=staff_a)
    [row] = _worklist(api, staff_a)
    assert row["steps"] == ["label_check"]  # released, its unit in quarantine until the label is scanned
    label_check(donation.units.get(), by=staff_a)
    assert _worklist(api, staff_a) == []


def test_worklist_query_count_is_flat(api, staff_a, bank_a, django_assert_num_queries):
    client = api(staff_a)
    client.get("/api/v1/me")
    make_donation(site=bank_a)
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/donations/worklist").json()) == 1
    for _ in range(9):
        make_donation(site=bank_a)
    with django_assert_num_queries(2):
        assert len(client.get("/api/v1/donations/worklist").json()) == 10


def test_a_collection_without_a_din_is_not_on_the_worklist(api, staff_a, bank_a):
    """Donations recorded before dblood (a donor's history) carry no DIN: there is no bag for the lab."""
    history = make_donation(site=bank_a)
    Donation.objects.filter(pk=history.pk).update(din=None)
    assert _worklist(api, staff_a) == []
