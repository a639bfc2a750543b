"""A stock cell that turns critical invites nearby eligible donors of that group to upcoming drives, once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.notifications.models import Notification
from dblood.notifications.tests.factories import make_drive, make_unit
from dblood.requests import recruitment
from dblood.requests.models import StockAlert
from dblood.requests.recruitment import shortage_recruit

from .test_callouts import donor_near


@pytest.fixture
def only_o_neg_prc_is_critical(monkeypatch, bank_a):
    cells = {(bank_a.pk, "O", "-", "PRC")}
    monkeypatch.setattr(recruitment, "critical_cells", lambda: set(cells))
    return cells


@pytest.mark.django_db
def test_critical_cell_invites_once_and_reopens_after_recovery(only_o_neg_prc_is_critical, bank_a):
    make_drive(bank_a, starts_at=timezone.now() + timedelta(days=3), name="Donor day at the mall")
    near = donor_near("near@x.org", abo="O", rhd="-", north_km=2)
    donor_near("other-group@x.org", abo="O", rhd="+", north_km=2)
    donor_near("far@x.org", abo="O", rhd="-", north_km=80)
    capped = donor_near("capped@x.org", abo="O", rhd="-", max_alerts_per_week=0)
    assert shortage_recruit() == 1
    invite = Notification.objects.get(kind="recruitment")
    assert invite.user == near.user
    assert "Donor day at the mall" in invite.body
    assert capped.user.notifications.count() == 0
    # Still critical: no second invitation.
    assert shortage_recruit() == 0
    assert StockAlert.objects.filter(closed_at__isnull=True).count() == 1
    # Recovered: the alert closes; critical again: a new alert, a new invitation.
    only_o_neg_prc_is_critical.clear()
    assert shortage_recruit() == 0
    assert StockAlert.objects.filter(closed_at__isnull=True).count() == 0
    only_o_neg_prc_is_critical.add((bank_a.pk, "O", "-", "PRC"))
    Notification.objects.all().delete()  # the weekly cap would otherwise (rightly) hold it back
    assert shortage_recruit() == 1
    assert StockAlert.objects.count() == 2


@pytest.mark.django_db
def test_no_drive_no_alert_yet(only_o_neg_prc_is_critical, bank_a):
    donor_near("near@x.org", abo="O", rhd="-")
    assert shortage_recruit() == 0
    assert not StockAlert.objects.exists()


@pytest.mark.django_db
def test_critical_cells_come_from_stock(bank_a):
    for _ in range(10):
        make_unit(bank_a, abo="A", rhd="+")
    cells = recruitment.critical_cells()
    assert (bank_a.pk, "O", "-", "PRC") in cells
    assert (bank_a.pk, "A", "+", "PRC") not in cells
