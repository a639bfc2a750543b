"""Races settled in PostgreSQL: two desks merging the same pair at once (either way round)."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from dblood.core.errors import Conflict
from dblood.donors.merge import donor_merge, donor_merge_undo
from dblood.donors.models import Donor, DonorMerge
from dblood.donors.tests.factories import give_donation, make_donor
from testing.personas import make_user


def race(*actions) -> tuple[int, int, list]:
    """Run each action in its own thread, released together; count successes and 409s."""
    barrier = threading.Barrier(len(actions))
    ok, conflicts, errors = [], [], []

    def work(action):
        try:
            barrier.wait()
            action()
            ok.append(1)
        except Conflict:
            conflicts.append(1)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(action,)) for action in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(ok), len(conflicts), errors


def _pair(bank):
    a = make_donor(make_user("a@example.org"), birth_date=date(1990, 5, 1), sex="F")
    b = make_donor(make_user("b@example.org"), birth_date=date(1990, 5, 1), sex="F")
    for donor, days in ((a, 300), (b, 200), (b, 100)):
        give_donation(donor, bank, timezone.localdate() - timedelta(days=days))
    return a, b


def _fresh(pk):
    return Donor.objects.get(pk=pk)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("opposite", [False, True], ids=["same-way", "opposite-ways"])
def test_two_desks_merging_one_pair_at_once_leave_one_merge(bank_a, opposite):
    a, b = _pair(bank_a)
    staff = [make_user(f"desk{i}@example.org", "blood_bank_staff") for i in range(2)]
    second = (
        (lambda: donor_merge(survivor=_fresh(b.pk), merged=_fresh(a.pk), by=staff[1]))
        if opposite
        else (lambda: donor_merge(survivor=_fresh(a.pk), merged=_fresh(b.pk), by=staff[1]))
    )
    result = race(lambda: donor_merge(survivor=_fresh(a.pk), merged=_fresh(b.pk), by=staff[0]), second)
    assert result == (1, 1, [])
    merge = DonorMerge.objects.get()
    survivor, merged = _fresh(merge.survivor_id), _fresh(merge.merged_id)
    assert merged.merged_into_id == survivor.pk and survivor.merged_into_id is None
    assert survivor.donations.count() == 3 and merged.donations.count() == 0
    assert merged.user.is_active is False and survivor.user.is_active is True


@pytest.mark.django_db(transaction=True)
def test_two_desks_undoing_one_merge_at_once_undo_it_once(bank_a):
    a, b = _pair(bank_a)
    desk = make_user("desk@example.org", "blood_bank_staff")
    merge = donor_merge(survivor=a, merged=b, by=desk)
    result = race(*[lambda: donor_merge_undo(merge=DonorMerge.objects.get(pk=merge.pk), by=desk)] * 2)
    assert result == (1, 1, [])
    assert _fresh(a.pk).donations.count() == 1 and _fresh(b.pk).donations.count() == 2
    assert _fresh(b.pk).merged_into_id is None
