from datetime import timedelta

import pytest
from django.utils import timezone

from dblood.donors.tests.factories import make_donor
from dblood.drives.appointments import appointment_book
from dblood.drives.models import Appointment, Drive
from dblood.drives.tests.factories import make_drive
from dblood.notifications.models import Notification
from testing.personas import make_site


def test_public_search_lists_slots_with_free_places(api, bank_a, donor):
    drive = make_drive(bank_a)
    appointment_book(donor=make_donor(donor), slot_id=drive.slots.first().id)
    body = api().get("/api/v1/drives").json()
    assert body["count"] == 1
    result = body["results"][0]
    assert len(result["slots"]) == 4  # 08:00-10:00 by 30 minutes
    assert set(result["slots"][0]) == {"id", "starts_at", "ends_at", "capacity", "free"}
    assert result["slots"][0]["free"] == 4 and result["slots"][1]["free"] == 5
    assert result["free"] == 19
    assert result["slots"][0]["starts_at"].endswith("+07:00") or result["slots"][0]["starts_at"].endswith("Z")


def test_search_filters(api, bank_a, bank_b):
    near = make_drive(bank_a, days_ahead=3, name="Jakarta")
    far = make_drive(bank_b, days_ahead=10, name="Bandung")
    make_drive(bank_a, days_ahead=40, name="Later")
    cancelled = make_drive(bank_a, days_ahead=5, name="Off")
    Drive.objects.filter(pk=cancelled.pk).update(status="cancelled")
    names = lambda params: [d["name"] for d in api().get("/api/v1/drives", params).json()["results"]]  # noqa: E731
    today = timezone.localdate()
    assert names({}) == ["Jakarta", "Bandung", "Later"]
    assert names({"date_from": today + timedelta(days=4), "date_to": today + timedelta(days=30)}) == ["Bandung"]
    assert names({"city": "bandung"}) == ["Bandung"]
    assert names({"lat": -6.2, "lon": 106.83, "radius_km": 30}) == ["Jakarta", "Later"]
    nearest = api().get("/api/v1/drives", {"lat": -6.9, "lon": 107.6, "radius_km": 200}).json()["results"]
    assert [d["name"] for d in nearest][0] == "Bandung" and nearest[0]["distance_km"] < 5
    for slot in far.slots.all():
        slot.booked = slot.capacity
        slot.save()
    assert names({"has_free_slots": "true"}) == ["Jakarta", "Later"]
    assert names({"has_free_slots": "false"}) == ["Bandung"]
    assert near.id in [d["id"] for d in api().get("/api/v1/drives", {"organiser": bank_a.id}).json()["results"]]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"lat": -91, "lon": 100}, "lat"),
        ({"lat": 0, "lon": 200}, "lon"),
        ({"lat": 0}, "lon"),
        ({"date_from": "tomorrow"}, "date_from"),
        ({"date_from": "2026-12-10", "date_to": "2026-12-01"}, "date_to"),
        ({"donation_type": "red_wine"}, "donation_type"),
        ({"has_free_slots": "maybe"}, "has_free_slots"),
    ],
)
def test_bad_search_input_is_a_400(api, db, params, field):
    response = api().get("/api/v1/drives", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_list_query_count_is_flat(api, bank_a, django_assert_num_queries):
    make_drive(bank_a)
    with django_assert_num_queries(2):
        assert api().get("/api/v1/drives").json()["count"] == 1
    for i in range(9):
        make_drive(bank_a, days_ahead=8 + i)
    with django_assert_num_queries(2):
        assert api().get("/api/v1/drives").json()["count"] == 10


def _payload(bank, **extra):
    values = {
        "organiser": bank.id,
        "site": bank.id,
        "name": "Campus drive",
        "date": (timezone.localdate() + timedelta(days=5)).isoformat(),
        "start_time": "09:00",
        "end_time": "12:00",
        "slot_minutes": 60,
        "capacity_per_slot": 4,
        "donation_types": ["whole_blood"],
    }
    values.update(extra)
    return values


def test_staff_create_a_drive_at_their_bank(api, staff_a, bank_a):
    response = api(staff_a).post("/api/v1/drives", _payload(bank_a))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [s["capacity"] for s in body["slots"]] == [4, 4, 4]
    assert body["city"] == bank_a.city and body["latitude"] == bank_a.latitude


def test_mobile_drive_needs_a_location(api, staff_a, bank_a):
    payload = _payload(bank_a, site=None, location_name="Mall")
    response = api(staff_a).post("/api/v1/drives", payload)
    assert response.status_code == 400 and "latitude" in response.json()["fields"]
    payload.update(city="Depok", province="Jawa Barat", latitude=-6.4, longitude=106.8)
    assert api(staff_a).post("/api/v1/drives", payload).status_code == 201


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"latitude": 100, "site": None, "city": "X", "province": "Y", "longitude": 1}, "latitude"),
        ({"end_time": "08:00"}, "end_time"),
        ({"date": "2020-01-01"}, "date"),
        ({"donation_types": ["coffee"]}, "donation_types.0"),
        ({"capacity_per_slot": 0}, "capacity_per_slot"),
        ({"status": "cancelled"}, "status"),
    ],
)
def test_bad_drive_input(api, staff_a, bank_a, extra, field):
    response = api(staff_a).post("/api/v1/drives", _payload(bank_a, **extra))
    assert response.status_code == 400
    assert field in response.json()["fields"], response.json()


def test_only_organiser_staff_write(api, staff_a, staff_b, bank_a, donor):
    assert api(staff_b).post("/api/v1/drives", _payload(bank_a)).status_code == 403
    assert api(donor).post("/api/v1/drives", _payload(bank_a)).status_code == 403
    assert api().post("/api/v1/drives", _payload(bank_a)).status_code == 401
    drive = make_drive(bank_a)
    assert api(staff_b).patch(f"/api/v1/drives/{drive.id}", {"name": "Mine now"}).status_code == 403
    assert api(staff_b).post(f"/api/v1/drives/{drive.id}/cancel", {}).status_code == 403
    assert api(donor).patch(f"/api/v1/drives/{drive.id}", {"name": "x"}).status_code == 403
    response = api(staff_a).patch(f"/api/v1/drives/{drive.id}", {"name": "Renamed", "capacity_per_slot": 8})
    assert response.status_code == 200
    assert response.json()["name"] == "Renamed" and response.json()["slots"][0]["capacity"] == 8


def test_schedule_cannot_change_once_booked(api, staff_a, bank_a, donor):
    drive = make_drive(bank_a)
    response = api(staff_a).patch(f"/api/v1/drives/{drive.id}", {"end_time": "11:00"})
    assert response.status_code == 200 and len(response.json()["slots"]) == 6
    appointment_book(donor=make_donor(donor), slot_id=drive.slots.first().id)
    response = api(staff_a).patch(f"/api/v1/drives/{drive.id}", {"start_time": "07:00"})
    assert response.status_code == 409
    response = api(staff_a).patch(f"/api/v1/drives/{drive.id}", {"capacity_per_slot": 0})
    assert response.status_code == 400


def test_cancel_notifies_every_booked_donor(api, staff_a, bank_a, donor, other_donor):
    drive = make_drive(bank_a)
    slot = drive.slots.first()
    first = appointment_book(donor=make_donor(donor), slot_id=slot.id)
    appointment_book(donor=make_donor(other_donor), slot_id=slot.id)
    response = api(staff_a).post(f"/api/v1/drives/{drive.id}/cancel", {"reason": "Flooding."})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert set(Appointment.objects.values_list("status", flat=True)) == {"cancelled"}
    notes = Notification.objects.filter(kind="drive_cancelled")
    assert {n.user_id for n in notes} == {donor.id, other_donor.id}
    note = notes.get(user=donor)
    assert note.dedupe_key == f"drive-cancelled:{drive.id}" and drive.name in note.body
    assert note.data["reason"] == "Flooding." and note.data["appointment"] == first.id
    slot.refresh_from_db()
    assert slot.booked == 0
    first.refresh_from_db()
    assert first.cancelled_at is not None
    assert api(staff_a).post(f"/api/v1/drives/{drive.id}/cancel", {}).status_code == 409
    assert api(staff_a).patch(f"/api/v1/drives/{drive.id}", {"name": "x"}).status_code == 409
    assert api().get("/api/v1/drives").json()["count"] == 0


def test_cancel_notice_in_the_donors_language(api, staff_a, bank_a, donor):
    donor.language = "id"
    donor.save()
    drive = make_drive(bank_a)
    appointment_book(donor=make_donor(donor), slot_id=drive.slots.first().id)
    api(staff_a).post(f"/api/v1/drives/{drive.id}/cancel", {})
    assert Notification.objects.get(user=donor).title == "Kegiatan donor darah dibatalkan"


def test_drive_in_another_site_zone_gets_local_slot_times(api, staff_a, db):
    from dblood.accounts.models import Membership

    makassar = make_site("udd-mks", timezone="Asia/Makassar", city="Makassar", province="Sulawesi Selatan")
    Membership.objects.create(user=staff_a, site=makassar)
    body = api(staff_a).post("/api/v1/drives", _payload(makassar)).json()
    from datetime import UTC, datetime

    starts = datetime.fromisoformat(body["slots"][0]["starts_at"]).astimezone(UTC)
    assert (starts.hour, starts.minute) == (1, 0)  # 09:00 WITA = 01:00 UTC


def test_a_started_slot_has_no_free_places(api, bank_a):
    import time_machine

    drive = make_drive(bank_a, days_ahead=1)
    first = drive.slots.order_by("starts_at").first()
    with time_machine.travel(first.starts_at + timedelta(minutes=5) - timezone.now()):
        body = api().get(f"/api/v1/drives/{drive.id}").json()
    assert [s["free"] for s in body["slots"]] == [0, 5, 5, 5]
    assert body["free"] == 15
