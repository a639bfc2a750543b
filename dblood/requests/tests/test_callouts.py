"""Emergency call-outs: who may start one, who is asked, batches, answers, what staff see."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from dblood.notifications.models import Notification
from dblood.notifications.services import notification_send
from dblood.notifications.tests.factories import make_donation, make_donor
from dblood.requests.callouts import call_out_answer, call_out_start, callouts_send_due_batches
from dblood.requests.models import CallOut, CallOutRecipient, CallOutResponse
from testing.personas import make_user


def donor_near(email, *, abo="O", rhd="-", north_km=1.0, **fields):
    """A donor `north_km` north of bank A (-6.2, 106.83)."""
    return make_donor(make_user(email), abo=abo, rhd=rhd, latitude=-6.2 + north_km / 111.2, longitude=106.83, **fields)


@pytest.mark.django_db
def test_who_may_start_a_call_out(api, make_request, donor, staff_a, staff_b, hospital_user, hospital, bank_a):
    blood_request = make_request()
    url = f"/api/v1/requests/{blood_request.pk}/call-outs"
    assert api(donor).post(url, {}, format="json").status_code == 403
    assert api(staff_b).post(url, {}, format="json").status_code == 404
    # A hospital no blood bank has verified may not broadcast (hoax protection).
    hospital.verified_by = None
    hospital.save()
    assert api(hospital_user).post(url, {}, format="json").status_code == 403
    assert not CallOut.objects.exists()
    hospital.verified_by = bank_a
    hospital.save()
    response = api(hospital_user).post(url, {"radius_km": 10}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["counts"] == {"asked": 0, "coming": 0, "cant": 0}
    # One running call-out per request.
    assert api(staff_a).post(url, {}, format="json").status_code == 409


@pytest.mark.django_db
def test_bad_call_out_input(api, make_request, staff_a):
    url = f"/api/v1/requests/{make_request().pk}/call-outs"
    response = api(staff_a).post(url, {"radius_km": 0, "come_by": "2020-01-01T00:00:00Z"}, format="json")
    assert response.status_code == 400
    assert {"radius_km", "come_by"} <= set(response.json()["fields"])


@pytest.mark.django_db
def test_selection_picks_only_suitable_donors(make_request, staff_a, bank_a):
    blood_request = make_request(patient_abo="A", patient_rhd="-", component="PRC")
    chosen = [
        donor_near("o-neg@x.org", abo="O", rhd="-", north_km=3),
        donor_near("a-neg@x.org", abo="A", rhd="-", north_km=1),
    ]
    donor_near("a-pos@x.org", abo="A", rhd="+")  # RhD-positive red cells for an RhD-negative patient
    donor_near("b-neg@x.org", abo="B", rhd="-")  # ABO-incompatible
    donor_near("opted-out@x.org", abo="A", rhd="-", call_out_opt_in=False)
    donor_near("far@x.org", abo="A", rhd="-", north_km=40)  # outside the call-out's 25 km
    donor_near("picky@x.org", abo="A", rhd="-", north_km=8, alert_radius_km=5)  # outside their own radius
    capped = donor_near("capped@x.org", abo="A", rhd="-", max_alerts_per_week=1)
    notification_send(user=capped.user, kind="call_out", key="earlier", title="t", body="b")
    recent = donor_near("recent@x.org", abo="A", rhd="-")
    make_donation(recent, bank_a, days_ago=10)  # not eligible again yet
    call_out = call_out_start(blood_request=blood_request, by=staff_a)
    assert callouts_send_due_batches() == 2
    asked = list(CallOutRecipient.objects.filter(call_out=call_out).values_list("donor_id", flat=True))
    assert sorted(asked) == sorted(d.pk for d in chosen)
    messages = Notification.objects.filter(kind="call_out", dedupe_key=f"call_out:{call_out.pk}")
    assert {m.user_id for m in messages} == {d.user_id for d in chosen}
    assert "A-" in messages.first().title or "A-" in messages.first().body


@pytest.mark.django_db
@override_settings(CALLOUT_BATCH_SIZE=2, CALLOUT_BATCH_INTERVAL_MINUTES=10)
def test_batches_until_enough_or_nobody_left(make_request, staff_a):
    donors = [donor_near(f"d{i}@x.org", north_km=i + 1) for i in range(3)]
    call_out = call_out_start(blood_request=make_request(patient_abo="O", patient_rhd="-"), by=staff_a)
    assert callouts_send_due_batches() == 2
    assert callouts_send_due_batches() == 0  # too soon for the next batch
    with time_machine.travel(timedelta(minutes=11)):
        assert callouts_send_due_batches() == 1
    call_out.refresh_from_db()
    assert call_out.exhausted
    nearest_first = CallOutRecipient.objects.filter(call_out=call_out, batch=1).values_list("donor_id", flat=True)
    assert set(nearest_first) == {donors[0].pk, donors[1].pk}
    with time_machine.travel(timedelta(minutes=30)):
        assert callouts_send_due_batches() == 0


@pytest.mark.django_db
@override_settings(CALLOUT_BATCH_SIZE=1)
def test_no_more_batches_once_enough_are_coming(make_request, staff_a):
    first = donor_near("first@x.org", north_km=1)
    donor_near("second@x.org", north_km=2)
    call_out = call_out_start(blood_request=make_request(patient_abo="O", patient_rhd="-"), by=staff_a, donors_wanted=1)
    assert callouts_send_due_batches() == 1
    call_out_answer(call_out=call_out, donor=first, answer="coming")
    with time_machine.travel(timedelta(minutes=11)):
        assert callouts_send_due_batches() == 0


@pytest.mark.django_db
def test_answers_and_what_staff_and_donors_see(api, make_request, staff_a, hospital_user):
    sharer = donor_near("sharer@x.org", north_km=1, phone="+62 811 111", share_contact=True)
    private = donor_near("private@x.org", north_km=2, phone="+62 822 222")
    outsider = donor_near("outsider@x.org", north_km=300)
    call_out = call_out_start(blood_request=make_request(patient_abo="O", patient_rhd="-"), by=staff_a)
    callouts_send_due_batches()
    url = f"/api/v1/call-outs/{call_out.pk}"
    # A donor sees where and when to come.
    seen = api(sharer.user).get(url).json()
    assert seen["collection_site"]["name"] == "UDD A"
    assert seen["blood_group"] == "O-" and seen["my_answer"] is None
    assert api(sharer.user).post(f"{url}/answer", {"answer": "coming"}, format="json").json()["my_answer"] == "coming"
    api(private.user).post(f"{url}/answer", {"answer": "coming"}, format="json")
    # The second answer replaces the first.
    assert api(private.user).post(f"{url}/answer", {"answer": "cant"}, format="json").json()["my_answer"] == "cant"
    assert CallOutResponse.objects.filter(call_out=call_out).count() == 2
    # A donor who was not asked cannot answer or see it.
    assert api(outsider.user).post(f"{url}/answer", {"answer": "coming"}, format="json").status_code == 404
    assert api(sharer.user).post(f"{url}/answer", {"answer": "maybe"}, format="json").status_code == 400
    for staff in (staff_a, hospital_user):
        body = api(staff).get(url).json()
        assert body["counts"] == {"asked": 2, "coming": 1, "cant": 1}
        by_name = {r["name"]: r for r in body["responders"]}
        assert by_name[sharer.user.full_name]["phone"] == "+62 811 111"
        assert by_name[sharer.user.full_name]["email"] == sharer.user.email
        assert by_name[private.user.full_name]["phone"] is None
        assert by_name[private.user.full_name]["email"] is None
        assert "+62 822 222" not in str(body)


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_leave_one_row(make_request, staff_a):
    donor = donor_near("tapper@x.org")
    call_out = call_out_start(blood_request=make_request(patient_abo="O", patient_rhd="-"), by=staff_a)
    callouts_send_due_batches()
    barrier = threading.Barrier(20)
    errors = []

    def tap(i):
        try:
            barrier.wait()
            call_out_answer(call_out=call_out, donor=donor, answer="coming" if i % 2 else "cant")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert CallOutResponse.objects.filter(call_out=call_out, donor=donor).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 10])
def test_call_out_list_query_count_is_flat(api, make_request, staff_a, django_assert_num_queries, rows):
    for i in range(rows):
        donor = donor_near(f"q{i}@x.org", north_km=1)
        call_out = call_out_start(blood_request=make_request(patient_abo="O", patient_rhd="-"), by=staff_a)
        CallOutRecipient.objects.create(call_out=call_out, donor=donor, batch=1)
        call_out_answer(call_out=call_out, donor=donor, answer="coming")
    client = api(staff_a)
    with django_assert_num_queries(6):
        body = client.get("/api/v1/call-outs").json()
    assert body["count"] == rows
    assert body["results"][0]["counts"]["coming"] == 1


@pytest.mark.django_db
def test_cancelling_the_request_ends_its_call_out(api, make_request, staff_a, hospital_user):
    blood_request = make_request()
    call_out = call_out_start(blood_request=blood_request, by=staff_a)
    api(hospital_user).post(f"/api/v1/requests/{blood_request.pk}/cancel", {}, format="json")
    call_out.refresh_from_db()
    assert call_out.status == "closed"


@pytest.mark.django_db
def test_a_donor_who_cannot_give_sees_why_and_is_not_counted_as_coming(api, make_request, staff_a, bank_a):
    """Asked while eligible, then gave blood ten minutes later: the call-out says why they cannot
    come (in their language, the day written the Indonesian way), and "coming" is refused."""
    donor = donor_near("gave-today@x.org")
    call_out = call_out_start(blood_request=make_request(patient_abo="O", patient_rhd="-"), by=staff_a)
    callouts_send_due_batches()
    client = api(donor.user)
    url = f"/api/v1/call-outs/{call_out.pk}"
    assert client.get(url).json()["why_not"] == []
    make_donation(donor, bank_a, days_ago=0)
    why_not = client.get(url, HTTP_ACCEPT_LANGUAGE="id").json()["why_not"]
    assert len(why_not) == 1 and "terakhir Anda" in why_not[0], why_not
    assert str(timezone.localdate().year) in why_not[0] and timezone.localdate().isoformat() not in why_not[0]
    refused = client.post(f"{url}/answer", {"answer": "coming"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "not_eligible"
    assert refused.json()["reasons"] and not CallOutResponse.objects.filter(call_out=call_out).exists()
    # "Can't come" is always an answer the blood bank may hear.
    assert client.post(f"{url}/answer", {"answer": "cant"}, format="json").json()["my_answer"] == "cant"
    assert api(staff_a).get(url).json()["counts"] == {"asked": 1, "coming": 0, "cant": 1}


@pytest.mark.django_db
def test_a_donor_eligible_again_before_the_come_by_day_may_come(make_request, staff_a, bank_a):
    from dblood.donors.selectors import donor_eligibility
    from dblood.requests.callouts import call_out_why_not

    donor = donor_near("nearly@x.org")
    call_out = call_out_start(blood_request=make_request(patient_abo="O", patient_rhd="-"), by=staff_a)
    make_donation(donor, bank_a, days_ago=59)  # 60 days between whole-blood donations: tomorrow
    today = donor_eligibility(donor=donor, on=timezone.localdate())
    call_out.come_by = timezone.now() + timedelta(days=2)
    assert call_out_why_not(call_out=call_out, eligibility=today) == []
    call_out.come_by = timezone.now()
    assert call_out_why_not(call_out=call_out, eligibility=today)
