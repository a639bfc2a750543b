"""The lab's relabelling of quarantined units is in the audit log (data safety: who changed a unit and why)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dblood.audit.models import AuditEvent
from dblood.inventory.models import BloodUnit
from dblood.inventory.tests.factories import make_donation, make_donor

pytestmark = pytest.mark.django_db


def _separate(client, donation, *components):
    response = client.post(
        f"/api/v1/donations/{donation.pk}/components",
        {"components": [{"component": c} for c in components]},
        format="json",
    )
    assert response.status_code == 201, response.content


def _unit_updates(unit) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(model="inventory.BloodUnit", object_id=str(unit.pk), action="update").order_by("id")
    )


def test_typing_relabels_quarantined_units_and_logs_each_with_before_and_after(api, staff_a, bank_a):
    # Declared O+ at registration (unconfirmed): the units are labelled O+ at separation.
    donation = make_donation(site=bank_a, donor=make_donor(abo="O", rhd="+"))
    client = api(staff_a)
    _separate(client, donation, "PRC", "FFP")
    response = client.post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "A", "rhd": "-"}, format="json")
    assert response.status_code == 200, response.content
    units = list(BloodUnit.objects.filter(donation=donation))
    assert {(u.abo, u.rhd) for u in units} == {("A", "-")}
    for unit in units:
        (relabel,) = _unit_updates(unit)
        assert relabel.before == {"abo": "O", "rhd": "+"}
        assert relabel.after == {"abo": "A", "rhd": "-"}
        assert relabel.actor == staff_a
    # The donor's confirmed group is logged too, from the row read under its lock.
    donor_change = AuditEvent.objects.filter(model="donors.Donor", object_id=str(donation.donor_id)).latest("id")
    assert donor_change.before == {"abo": "O", "group_confirmed": False, "rhd": "+"}
    assert donor_change.after == {"abo": "A", "group_confirmed": True, "rhd": "-"}


def test_typing_that_agrees_with_the_label_logs_no_relabel(api, staff_a, bank_a):
    donation = make_donation(site=bank_a, donor=make_donor(abo="B", rhd="+"))
    client = api(staff_a)
    _separate(client, donation, "PRC")
    client.post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "B", "rhd": "+"}, format="json")
    (unit,) = BloodUnit.objects.filter(donation=donation)
    assert not [e for e in _unit_updates(unit) if "abo" in e.after or "rhd" in e.after]


def test_relabelling_costs_the_same_queries_for_one_unit_and_for_three(api, staff_a, bank_a):
    counts = []
    for components in (["PRC"], ["PRC", "FFP", "TC"]):
        donation = make_donation(site=bank_a, donor=make_donor(abo="O", rhd="+"))
        client = api(staff_a)
        _separate(client, donation, *components)
        with CaptureQueriesContext(connection) as ctx:
            client.post(f"/api/v1/donations/{donation.pk}/typing", {"abo": "A", "rhd": "+"}, format="json")
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
