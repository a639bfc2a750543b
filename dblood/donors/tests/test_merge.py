"""Merging two records of one donor moves their whole history to the survivor, in one transaction,
audited, and an undo restores both."""

from datetime import date, timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from dblood.accounts.models import User
from dblood.audit.models import AuditEvent
from dblood.donors import identity
from dblood.donors.merge import donor_merge, donor_merge_undo, relation_is_handled
from dblood.donors.models import Deferral, Donor, DonorMerge, DuplicatePair
from dblood.donors.services import deferral_record
from dblood.donors.tests.factories import give_donation, make_donor
from dblood.drives.appointments import appointment_book
from dblood.drives.tests.factories import make_drive
from dblood.notifications.models import Notification
from testing.personas import make_user

NIK = "3174011501950001"


def test_every_foreign_key_to_a_donor_or_an_account_is_moved_or_kept_on_purpose():
    """A new relation to Donor or User fails here until donors.merge says what a merge does with it."""
    unhandled = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete) or field.related_model not in (Donor, User):
                continue
            label = f"{model._meta.label}.{field.name}"
            if not relation_is_handled(label):
                unhandled.append(label)
    assert unhandled == []


def test_the_introspection_sees_the_relations_it_guards():
    """The check above would pass vacuously if it saw nothing: it sees the donor's history."""
    seen = {
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model in (Donor, User)
    }
    assert {"donations.Donation.donor", "donors.Deferral.donor", "notifications.Notification.user"} <= seen
    assert not relation_is_handled("newapp.Certificate.donor")


@pytest.fixture
def pair(donor, other_donor, bank_a):
    """Two records of one person: `kept` gave blood at bank A, `dup` signed up again and has a history too."""
    kept = make_donor(donor, birth_date=date(1995, 1, 15), sex="M", phone="")
    dup = make_donor(other_donor, birth_date=date(1995, 1, 15), sex="M", phone="+62 812 1", city="Depok")
    dup.nik_ciphertext, dup.nik_hash = identity.nik_encrypt(NIK), identity.nik_digest(NIK)
    dup.save()
    give_donation(kept, bank_a, timezone.localdate() - timedelta(days=200))
    give_donation(dup, bank_a, timezone.localdate() - timedelta(days=100))
    deferral_record(donor=dup, reason_code="tattoo-piercing")
    drive = make_drive(bank_a, days_ahead=200)
    appointment_book(donor=dup, slot_id=drive.slots.first().pk)
    Notification.objects.create(user=other_donor, kind="call_out", dedupe_key="x", title="t", body="b")
    DuplicatePair.objects.create(
        first_id=min(kept.pk, dup.pk), second_id=max(kept.pk, dup.pk), reason="name", score=95, found_via="profile"
    )
    return kept, dup


def _history(donor: Donor) -> dict:
    return {
        "donations": donor.donations.count(),
        "deferrals": donor.deferrals.count(),
        "appointments": donor.appointments.count(),
        "notifications": donor.user.notifications.count(),
    }


def test_a_merge_moves_the_history_and_an_undo_restores_both(pair, staff_a):
    kept, dup = pair
    before = (_history(kept), _history(dup))
    merge = donor_merge(survivor=kept, merged=dup, by=staff_a)
    kept.refresh_from_db()
    dup.refresh_from_db()
    assert _history(kept) == {"donations": 2, "deferrals": 1, "appointments": 1, "notifications": 1}
    assert _history(dup) == {"donations": 0, "deferrals": 0, "appointments": 0, "notifications": 0}
    assert dup.merged_into == kept and dup.user.is_active is False
    # The survivor takes the NIK and the details it lacked; the merged record no longer holds the NIK.
    assert kept.nik_hash == identity.nik_digest(NIK) and dup.nik_hash is None
    assert kept.phone == "+62 812 1" and kept.city == "Depok"
    assert merge.moved["donations.Donation.donor"]

    donor_merge_undo(merge=merge, by=staff_a)
    kept.refresh_from_db()
    dup.refresh_from_db()
    assert (_history(kept), _history(dup)) == before
    assert dup.merged_into is None and dup.user.is_active is True
    assert dup.nik_hash == identity.nik_digest(NIK) and identity.nik_decrypt(dup.nik_ciphertext) == NIK
    assert kept.nik_hash is None and kept.phone == "" and kept.city == ""


def test_a_merge_and_its_undo_are_audited(pair, staff_a):
    kept, dup = pair
    merge = donor_merge(survivor=kept, merged=dup, by=staff_a)
    donor_merge_undo(merge=merge, by=staff_a)
    merge_events = AuditEvent.objects.filter(model="donors.DonorMerge", object_id=str(merge.pk))
    assert set(merge_events.values_list("action", flat=True)) == {"create", "update"}
    donor_events = AuditEvent.objects.filter(model="donors.Donor", object_id=str(dup.pk), action="update")
    assert donor_events.filter(after__merged_into_id=kept.pk).exists()
    deferral = Deferral.objects.get(donor=dup)
    assert AuditEvent.objects.filter(
        model="donors.Deferral", object_id=str(deferral.pk), after__donor_id=kept.pk
    ).exists()


def test_a_call_out_the_survivor_already_answered_stays_with_the_merged_record(pair, staff_a):
    kept, dup = pair
    Notification.objects.create(user=kept.user, kind="call_out", dedupe_key="x", title="t", body="b")
    merge = donor_merge(survivor=kept, merged=dup, by=staff_a)
    assert "notifications.Notification.user" not in merge.moved  # the survivor was told the same already
    assert Notification.objects.filter(user=dup.user, dedupe_key="x").exists()


def _merge(api, user, survivor, merged, language="en"):
    return api(user).post(
        "/api/v1/donor-merges", {"survivor": survivor, "merged": merged}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )


def test_staff_merge_a_pair_they_see_through_the_api_and_undo_it(api, pair, staff_a, staff_b):
    kept, dup = pair
    assert _merge(api, staff_b, kept.pk, dup.pk).status_code == 404  # bank B never met either record
    response = _merge(api, staff_a, kept.pk, dup.pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["survivor"]["donor_number"] == kept.donor_number and body["moved"]["donations.Donation.donor"] == 1
    assert body["merged"]["nik_masked"] == "" and body["survivor"]["nik_masked"] == "3174********0001"
    assert NIK not in response.content.decode()
    listed = api(staff_a).get("/api/v1/donor-merges").json()["results"]
    assert [m["id"] for m in listed] == [body["id"]]
    assert api(staff_a).get("/api/v1/donor-duplicates").json()["results"] == []  # reviewed: no longer open
    undone = api(staff_a).post(f"/api/v1/donor-merges/{body['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone_at"]


@pytest.mark.parametrize(
    "language, message",
    [
        ("en", "A record cannot be merged with itself."),
        ("id", "Sebuah catatan tidak dapat digabung dengan dirinya sendiri."),
    ],
)
def test_merging_a_record_with_itself_is_a_400_in_the_callers_language(api, pair, admin_user, language, message):
    kept, _dup = pair
    response = _merge(api, admin_user, kept.pk, kept.pk, language)
    assert response.status_code == 400 and response.json()["fields"]["merged"] == [message]
    assert not DonorMerge.objects.exists()


def test_merging_an_already_merged_record_is_a_409_and_writes_nothing(api, pair, staff_a, admin_user, donor):
    kept, dup = pair
    assert _merge(api, staff_a, kept.pk, dup.pk).status_code == 201
    third = make_donor(make_user("third@example.org"), birth_date=date(1995, 1, 15), sex="M")
    events = AuditEvent.objects.count()
    for user, (survivor, merged) in ((staff_a, (kept.pk, dup.pk)), (admin_user, (third.pk, dup.pk))):
        for language, message in (("en", "is already merged"), ("id", "sudah digabung")):
            response = _merge(api, user, survivor, merged, language)
            assert response.status_code == 409, response.json()
            assert response.json()["code"] == "already_merged" and message in response.json()["detail"]
    assert DonorMerge.objects.count() == 1 and AuditEvent.objects.count() == events
    assert third.donations.count() == 0


def test_undoing_twice_is_a_409_naming_it(api, pair, staff_a):
    kept, dup = pair
    merge_id = _merge(api, staff_a, kept.pk, dup.pk).json()["id"]
    assert api(staff_a).post(f"/api/v1/donor-merges/{merge_id}/undo").status_code == 200
    for language, message in (("en", "already been undone"), ("id", "sudah dibatalkan")):
        again = api(staff_a).post(f"/api/v1/donor-merges/{merge_id}/undo", HTTP_ACCEPT_LANGUAGE=language)
        assert again.status_code == 409 and message in again.json()["detail"]
    assert Donor.objects.get(pk=dup.pk).donations.count() == 1


def test_two_records_with_different_niks_or_confirmed_groups_are_two_people(api, pair, admin_user):
    kept, dup = pair
    kept.nik_ciphertext, kept.nik_hash = (
        identity.nik_encrypt("3174011501950002"),
        identity.nik_digest("3174011501950002"),
    )
    kept.save()
    response = _merge(api, admin_user, kept.pk, dup.pk)
    assert response.status_code == 409 and response.json()["code"] == "different_nik"
    kept.nik_ciphertext, kept.nik_hash = "", None
    kept.abo, kept.rhd, kept.group_confirmed = "A", "+", True
    kept.save()
    dup.abo, dup.rhd, dup.group_confirmed = "O", "+", True
    dup.save()
    response = _merge(api, admin_user, kept.pk, dup.pk)
    assert response.status_code == 409 and response.json()["code"] == "different_blood_group"
    assert dup.donations.count() == 1 and not DonorMerge.objects.exists()


def test_an_admin_merge_of_an_unknown_record_names_the_field(api, pair, admin_user):
    kept, _dup = pair
    response = _merge(api, admin_user, kept.pk, 999999)
    assert response.status_code == 400 and "merged" in response.json()["fields"]


def test_the_merge_list_costs_the_same_for_one_merge_or_many(api, admin_user, django_assert_max_num_queries):
    for index in range(4):
        kept = make_donor(make_user(f"kept{index}@example.org"))
        donor_merge(survivor=kept, merged=make_donor(make_user(f"dup{index}@example.org")), by=admin_user)
    client = api(admin_user)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/donor-merges")
    assert response.status_code == 200 and len(response.json()["results"]) == 4
    assert all("nik" not in m["survivor"] and "nik" not in m["merged"] for m in response.json()["results"])
