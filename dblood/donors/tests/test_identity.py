"""The donor's NIK: its rules, encrypted at rest, unique nationally, shown in full only to the donor
and to the bank desk that verifies it."""

from datetime import date, datetime, time

import pytest
import time_machine
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from dblood.audit.models import AuditEvent
from dblood.donors import identity
from dblood.donors.models import Donor, DuplicatePair
from dblood.donors.tests.factories import make_donor
from dblood.drives.appointments import appointment_book
from dblood.drives.tests.factories import make_drive

# DKI Jakarta (31), Jakarta Selatan (74), district 01; born 15-01-1995; serial 0001.
MAN_NIK = "3174011501950001"
MAN = {"birth_date": date(1995, 1, 15), "sex": "M"}
# Bandung (32 73 01); a woman born 01-05-1990: day 01 + 40 = 41.
WOMAN_NIK = "3273014105900002"
WOMAN = {"birth_date": date(1990, 5, 1), "sex": "F"}


@pytest.mark.parametrize(
    "nik, person",
    [
        (MAN_NIK, MAN),
        (WOMAN_NIK, WOMAN),
        ("9601011501950001", MAN),
        ("1101017112990009", {**MAN, "birth_date": date(1999, 12, 31), "sex": "F"}),
    ],
)
def test_a_well_formed_nik_that_agrees_with_birth_date_and_sex_passes(nik, person):
    assert identity.nik_problems(nik, **person) == []


@pytest.mark.parametrize(
    "nik, person, problem",
    [
        ("317401150195000", MAN, "A NIK is 16 digits."),
        ("31740115019500011", MAN, "A NIK is 16 digits."),
        ("3174O11501950001", MAN, "A NIK is 16 digits."),
        ("３１７４０１１５０１９５０００１", MAN, "A NIK is 16 digits."),  # full-width digits
        ("9974011501950001", MAN, "The NIK's first two digits (99) are no Indonesian province."),
        ("3100011501950001", MAN, "The NIK's regency and district codes (digits 3 to 6) cannot be 00."),
        ("3174001501950001", MAN, "The NIK's regency and district codes (digits 3 to 6) cannot be 00."),
        ("3174011501950000", MAN, "The NIK's last four digits cannot be 0000."),
        ("3174013201950001", MAN, "The NIK's birth-date digits (7 to 12) are no date."),
        ("3174011513950001", MAN, "The NIK's birth-date digits (7 to 12) are no date."),
        ("3174011601950001", MAN, "The NIK's birth-date digits do not match the birth date given."),
        ("3174011501960001", MAN, "The NIK's birth-date digits do not match the birth date given."),
        ("3174015501950001", MAN, "The NIK's birth-date digits are a woman's (day plus 40) and the sex given is male."),
        ("3273010105900002", WOMAN, "The NIK's birth-date digits are a man's and the sex given is female"),
        (MAN_NIK, {"birth_date": None, "sex": "M"}, "Give your birth date and sex with the NIK"),
        (MAN_NIK, {"birth_date": date(1995, 1, 15), "sex": ""}, "Give your birth date and sex with the NIK"),
    ],
)
def test_a_nik_that_cannot_be_this_donors_is_refused_naming_the_problem(nik, person, problem):
    problems = identity.nik_problems(nik, **person)
    assert any(p.startswith(problem) for p in problems), problems


def test_the_nik_is_stored_encrypted_and_found_by_its_keyed_hash(api, donor):
    make_donor(donor, **MAN)
    response = api(donor).patch("/api/v1/donors/me", {"nik": "3174 0115 0195 0001"})
    assert response.status_code == 200, response.json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nik_ciphertext, nik_hash FROM donors_donor WHERE user_id = %s", [donor.pk])
        ciphertext, digest = cursor.fetchone()
    assert MAN_NIK not in ciphertext and "1501950001" not in ciphertext
    assert digest == identity.nik_digest(MAN_NIK) != identity.nik_digest(WOMAN_NIK)
    assert len(digest) == 64 and MAN_NIK not in digest
    assert identity.nik_decrypt(ciphertext) == MAN_NIK
    # The audit log records that it changed, never the ciphertext.
    logged = AuditEvent.objects.filter(model="donors.Donor", action="update", after__has_key="nik_hash").get()
    assert "nik_ciphertext" not in logged.after and "nik_ciphertext" not in logged.before


def test_the_keyring_encrypts_with_its_first_key_and_decrypts_with_any(settings):
    old, new = settings.NIK_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    token = identity.nik_encrypt(MAN_NIK)
    settings.NIK_ENCRYPTION_KEYS = [new, old]
    assert identity.nik_decrypt(token) == MAN_NIK  # the old key still opens it
    rotated = identity.nik_reencrypt(token)
    settings.NIK_ENCRYPTION_KEYS = [new]
    assert identity.nik_decrypt(rotated) == MAN_NIK
    with pytest.raises(InvalidToken):
        identity.nik_decrypt(token)  # dropped too early: an error, never an empty NIK


def test_nik_rekey_moves_every_stored_nik_to_the_first_key(settings, donor):
    profile = make_donor(donor, **MAN)
    profile.nik_ciphertext, profile.nik_hash = identity.nik_encrypt(MAN_NIK), identity.nik_digest(MAN_NIK)
    profile.save()
    settings.NIK_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.NIK_ENCRYPTION_KEYS]
    call_command("nik_rekey", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.NIK_ENCRYPTION_KEYS = settings.NIK_ENCRYPTION_KEYS[:1]
    profile.refresh_from_db()
    assert identity.nik_decrypt(profile.nik_ciphertext) == MAN_NIK


def test_the_donor_sees_their_nik_in_full_and_staff_see_it_masked(api, donor, staff_a, bank_a):
    profile = make_donor(donor, **MAN)
    api(donor).patch("/api/v1/donors/me", {"nik": MAN_NIK})
    own = api(donor).get("/api/v1/donors/me").json()
    assert own["nik"] == MAN_NIK and own["nik_masked"] == "3174********0001" and own["nik_verified"] is False
    drive = make_drive(bank_a)
    appointment_book(donor=profile, slot_id=drive.slots.first().pk)
    listed = api(staff_a).get("/api/v1/donors").json()["results"]
    shown = api(staff_a).get(f"/api/v1/donors/{profile.pk}").json()
    for body in (listed[0], shown):
        assert body["nik_masked"] == "3174********0001"
        assert MAN_NIK not in str(body)


def test_the_nik_is_absent_from_every_other_response_about_the_donor(api, donor, staff_a, bank_a):
    profile = make_donor(donor, **MAN)
    api(donor).patch("/api/v1/donors/me", {"nik": MAN_NIK})
    drive = make_drive(bank_a)
    appointment_book(donor=profile, slot_id=drive.slots.first().pk)
    for path in ("/api/v1/appointments", f"/api/v1/drives/{drive.pk}/appointments", "/api/v1/donor-duplicates"):
        response = api(staff_a).get(path)
        assert response.status_code == 200, path
        assert MAN_NIK not in response.content.decode(), path


def test_a_malformed_nik_is_a_400_naming_it_in_the_callers_language(api, donor):
    make_donor(donor, **MAN)
    client = api(donor)
    english = client.patch("/api/v1/donors/me", {"nik": "12345"}, HTTP_ACCEPT_LANGUAGE="en")
    indonesian = client.patch("/api/v1/donors/me", {"nik": "12345"}, HTTP_ACCEPT_LANGUAGE="id")
    assert english.status_code == indonesian.status_code == 400
    assert english.json()["fields"]["nik"] == ["A NIK is 16 digits."]
    assert indonesian.json()["fields"]["nik"] == ["NIK terdiri atas 16 angka."]
    assert Donor.objects.get(user=donor).nik_hash is None


def test_a_birth_date_change_that_no_longer_agrees_with_the_nik_is_refused(api, donor):
    make_donor(donor, **MAN)
    api(donor).patch("/api/v1/donors/me", {"nik": MAN_NIK})
    response = api(donor).patch("/api/v1/donors/me", {"birth_date": "1995-02-15"})
    assert response.status_code == 400
    assert "birth_date" in response.json()["fields"]
    assert Donor.objects.get(user=donor).birth_date == date(1995, 1, 15)


def test_a_nik_on_another_record_is_a_409_and_the_pair_waits_for_the_desk(api, donor, other_donor):
    make_donor(donor, **MAN)
    make_donor(other_donor, **MAN)
    assert api(donor).patch("/api/v1/donors/me", {"nik": MAN_NIK}).status_code == 200
    response = api(other_donor).patch("/api/v1/donors/me", {"nik": MAN_NIK, "city": "Depok"})
    assert response.status_code == 409, response.json()
    assert response.json()["code"] == "nik_taken"
    other = Donor.objects.get(user=other_donor)
    assert other.nik_hash is None and other.city == ""  # nothing of the refused change written
    pair = DuplicatePair.objects.get(reason="nik")
    assert {pair.first_id, pair.second_id} == {other.pk, Donor.objects.get(user=donor).pk}


def test_the_database_keeps_one_nik_to_one_record(donor, other_donor):
    from django.db import IntegrityError, transaction

    first, second = make_donor(donor, **MAN), make_donor(other_donor, **MAN)
    for record in (first, second):
        record.nik_ciphertext, record.nik_hash = identity.nik_encrypt(MAN_NIK), identity.nik_digest(MAN_NIK)
    first.save()
    with pytest.raises(IntegrityError, match="donor_nik_once_nationally"), transaction.atomic():
        second.save()


def test_the_desk_reads_the_nik_in_full_and_verifies_it_against_the_card(api, donor, staff_a, staff_b, bank_a):
    profile = make_donor(donor, **MAN)
    api(donor).patch("/api/v1/donors/me", {"nik": MAN_NIK})
    appointment_book(donor=profile, slot_id=make_drive(bank_a).slots.first().pk)
    desk = api(staff_a)
    assert desk.get(f"/api/v1/donors/{profile.pk}/nik").json()["nik"] == MAN_NIK
    assert api(staff_b).get(f"/api/v1/donors/{profile.pk}/nik").status_code == 404  # never met the donor
    wrong = desk.post(f"/api/v1/donors/{profile.pk}/nik/verify", {"nik": WOMAN_NIK}, format="json")
    assert wrong.status_code == 400 and wrong.json()["fields"]["nik"] == ["This is not the NIK the donor gave."]
    right = desk.post(f"/api/v1/donors/{profile.pk}/nik/verify", {"nik": "3174-0115-0195-0001"}, format="json")
    assert right.status_code == 200, right.json()
    assert right.json()["nik_verified_by_name"] == staff_a.full_name
    assert api(donor).get("/api/v1/donors/me").json()["nik_verified"] is True
    # Verified: the donor can no longer change or remove it themselves.
    for value in ("", WOMAN_NIK):
        refused = api(donor).patch("/api/v1/donors/me", {"nik": value})
        assert refused.status_code == 400 and "desk" in refused.json()["fields"]["nik"][0]


def test_verifying_a_donor_without_a_nik_is_a_409(api, donor, staff_a, bank_a):
    profile = make_donor(donor, **MAN)
    appointment_book(donor=profile, slot_id=make_drive(bank_a).slots.first().pk)
    response = api(staff_a).post(f"/api/v1/donors/{profile.pk}/nik/verify", {"nik": MAN_NIK}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "no_nik"


def on_drive_day(drive, hour: int, minute: int = 0):
    target = timezone.make_aware(datetime.combine(drive.date, time(hour, minute)))
    return time_machine.travel(target - timezone.now())


def test_a_walk_in_with_the_nik_off_the_card_records_it_verified(api, staff_a, bank_a):
    drive = make_drive(bank_a, days_ahead=3)
    body = {
        "email": "walkin@example.org",
        "full_name": "Budi Walk",
        "birth_date": "1995-01-15",
        "sex": "M",
        "weight_kg": "65",
        "nik": MAN_NIK,
        "donation_type": "whole_blood",
    }
    with on_drive_day(drive, 8, 40):
        response = api(staff_a).post(f"/api/v1/drives/{drive.pk}/walk-ins", body, format="json")
        again = api(staff_a).post(
            f"/api/v1/drives/{drive.pk}/walk-ins", {**body, "email": "second@example.org"}, format="json"
        )
    assert response.status_code == 201, response.json()
    assert response.json()["likely_duplicates"] == 0
    donor = Donor.objects.get(user__email="walkin@example.org")
    assert donor.nik_hash == identity.nik_digest(MAN_NIK) and donor.nik_verified_by == staff_a
    # The same NIK for another new walk-in: refused, and no account is left behind.
    assert again.status_code == 409 and again.json()["code"] == "nik_taken"
    assert not Donor.objects.filter(user__email="second@example.org").exists()
