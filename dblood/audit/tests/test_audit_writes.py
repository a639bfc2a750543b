"""The audit helpers for services: bulk updates logged per row, tracked rows saved without a re-read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dblood.audit.context import audit_actor
from dblood.audit.models import AuditEvent
from dblood.audit.services import audit_snapshot, audit_track, audit_updates
from dblood.donors.models import Donor
from dblood.donors.tests.factories import make_donor
from dblood.inventory.models import BloodUnit
from dblood.inventory.tests.factories import make_unit

pytestmark = pytest.mark.django_db


def test_a_tracked_row_is_saved_without_reading_it_again_and_still_logged(donor):
    profile = make_donor(donor, city="Bogor")
    tracked = audit_track(Donor.objects.select_for_update().get(pk=profile.pk))
    tracked.city = "Depok"
    with CaptureQueriesContext(connection) as ctx:
        tracked.save(update_fields=["city"])
    assert not [q for q in ctx.captured_queries if q["sql"].startswith('SELECT "donors_donor"')]
    event = AuditEvent.objects.filter(model="donors.Donor", object_id=str(profile.pk)).latest("id")
    assert (event.before, event.after) == ({"city": "Bogor"}, {"city": "Depok"})
    # A second save is compared with what the first one wrote.
    tracked.city = "Bekasi"
    tracked.save(update_fields=["city"])
    event = AuditEvent.objects.filter(model="donors.Donor", object_id=str(profile.pk)).latest("id")
    assert (event.before, event.after) == ({"city": "Depok"}, {"city": "Bekasi"})


def test_bulk_updates_are_logged_one_event_per_changed_row_in_one_insert(bank_a, admin_user):
    units = [make_unit(site=bank_a, abo="O") for _ in range(3)]
    before = {unit.pk: audit_snapshot(unit) for unit in units}
    BloodUnit.objects.filter(pk__in=[u.pk for u in units[:2]]).update(abo="A")
    units[0].abo = units[1].abo = "A"
    with audit_actor(admin_user), CaptureQueriesContext(connection) as ctx:
        events = audit_updates(before=before, instances=units)
    assert len(ctx.captured_queries) == 1
    assert [e.object_id for e in events] == [str(units[0].pk), str(units[1].pk)]  # the unchanged one is not logged
    for event in events:
        assert (event.before, event.after) == ({"abo": "O"}, {"abo": "A"})
        assert event.actor == admin_user and event.actor_email == admin_user.email and event.action == "update"
