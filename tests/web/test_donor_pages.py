"""Donor pages against the api's real shapes (drf-spectacular schema), mocked at the HTTP layer."""

APPOINTMENT = {
    "id": 9,
    "status": "booked",
    "donation_type": "whole_blood",
    "starts_at": "2026-12-01T01:00:00Z",
    "ends_at": "2026-12-01T01:30:00Z",
    "slot": 31,
    "drive": 3,
    "drive_name": "Donor Darah Kampus UI",
    "location": "Balairung UI, Depok",
    "answered_at": None,
}
QUESTIONNAIRE = {
    "version": 2,
    "published_at": "2026-11-01T00:00:00Z",
    "questions": [
        {"code": "feel_well", "text": {"en": "Do you feel well today?", "id": "Apakah Anda sehat hari ini?"}},
        {"code": "tattoo_6m", "text": {"en": "A tattoo in the last 6 months?", "id": "Tato dalam 6 bulan terakhir?"}},
    ],
}


def test_appointments_list_links_the_ics_questions_reschedule_and_cancel(signed_in, fake_api):
    fake_api.on("GET", "appointments", body={"count": 1, "results": [APPOINTMENT]})
    html = signed_in.get("/me/appointments/").content.decode()
    for link in ["/me/appointments/9.ics", "/me/appointments/9/questions/", "/me/appointments/9/reschedule/"]:
        assert link in html
    assert 'action="/me/appointments/9/cancel/"' in html
    assert "Booked" in html


def test_ics_download_comes_from_the_api(signed_in, fake_api):
    fake_api.on(
        "GET", r"appointments/9/ics", handler=lambda r, m: __import__("httpx").Response(200, text="BEGIN:VCALENDAR")
    )
    response = signed_in.get("/me/appointments/9.ics")
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content == b"BEGIN:VCALENDAR"


def test_questionnaire_in_the_readers_language_sends_booleans(signed_in, fake_api):
    fake_api.on("GET", r"appointments/9", body=APPOINTMENT)
    fake_api.on("GET", "questionnaire", body=QUESTIONNAIRE)
    assert "Do you feel well today?" in signed_in.get("/me/appointments/9/questions/").content.decode()
    html = signed_in.post("/me/appointments/9/questions/", {"feel_well": "yes"}).content.decode()
    assert "Please answer every question." in html
    assert 'value="yes" checked' in html  # kept what was ticked
    fake_api.on("POST", r"appointments/9/questionnaire", body={**APPOINTMENT, "answered_at": "2026-11-29T03:00:00Z"})
    response = signed_in.post("/me/appointments/9/questions/", {"feel_well": "yes", "tattoo_6m": "no"})
    assert response["Location"] == "/me/appointments/"
    assert fake_api.last_json("POST", "appointments/9/questionnaire") == {
        "version": 2,
        "answers": {"feel_well": True, "tattoo_6m": False},
    }
    signed_in.post("/language/", {"language": "id"})
    assert "Apakah Anda sehat hari ini?" in signed_in.get("/me/appointments/9/questions/").content.decode()


def test_reschedule_offers_the_drives_free_slots_and_posts_the_new_one(signed_in, fake_api):
    fake_api.on("GET", r"appointments/9", body=APPOINTMENT)
    slots = [
        {"id": 32, "starts_at": "2026-12-01T02:00:00Z", "ends_at": "2026-12-01T02:30:00Z", "capacity": 4, "free": 1}
    ]
    fake_api.on(
        "GET", r"drives/3", body={"id": 3, "name": "Donor Darah Kampus UI", "date": "2026-12-01", "slots": slots}
    )
    html = signed_in.get("/me/appointments/9/reschedule/").content.decode()
    assert 'name="slot" value="32"' in html
    fake_api.on("POST", r"appointments/9/reschedule", body=APPOINTMENT)
    assert signed_in.post("/me/appointments/9/reschedule/", {"slot": "32"})["Location"] == "/me/appointments/"
    assert fake_api.last_json("POST", "appointments/9/reschedule") == {"slot": 32}


def test_late_cancel_refused_by_the_api_is_explained(signed_in, fake_api):
    fake_api.on(
        "POST",
        r"appointments/9/cancel",
        status=409,
        body={"status": 409, "code": "conflict", "detail": "Too late to cancel: the slot starts within 2 hours."},
    )
    fake_api.on("GET", "appointments", body=[])
    html = signed_in.post("/me/appointments/9/cancel/", follow=True).content.decode()
    assert "Too late to cancel" in html


def test_eligibility_shows_next_dates_and_reasons(signed_in, fake_api):
    fake_api.on(
        "GET",
        "donors/me/eligibility",
        body={
            "on": "2026-11-29",
            "profile": "pmi",
            "eligible_for_any": False,
            "types": [
                {
                    "donation_type": "whole_blood",
                    "eligible": False,
                    "reasons": ["60 days between donations"],
                    "next_eligible_on": "2027-01-20",
                },
            ],
        },
    )
    html = signed_in.get("/me/eligibility/").content.decode()
    assert "Whole blood" in html and "Wed 20 Jan 2027" in html and "60 days between donations" in html


def test_my_donations_show_where_the_blood_went(signed_in, fake_api):
    fake_api.on(
        "GET",
        "donations/mine",
        body={
            "count": 1,
            "results": [
                {
                    "id": 5,
                    "date": "2026-10-01",
                    "place": "UDD PMI DKI Jakarta",
                    "donation_type": "whole_blood",
                    "outcome": "completed",
                    "din": "T999926000123",
                    "units": [
                        {"id": 1, "component": "PRC", "state": "given", "issued_to_name": "RSUPN Cipto Mangunkusumo"},
                        {"id": 2, "component": "FFP", "state": "in_stock", "issued_to_name": None},
                    ],
                    "follow_up": False,
                },
                {
                    "id": 6,
                    "date": "2026-12-01",
                    "place": "UDD PMI DKI Jakarta",
                    "donation_type": "whole_blood",
                    "outcome": "completed",
                    "din": "T999926000124",
                    "units": [{"id": 3, "component": "PRC", "state": "not_used", "issued_to_name": None}],
                    "follow_up": True,
                },
            ],
        },
    )
    html = signed_in.get("/me/donations/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Where my blood went" in html
    assert "given to a patient at RSUPN Cipto Mangunkusumo" in html
    assert "in the blood bank, waiting for a patient" in html
    # A reactive donation reads neutrally: not used, and the private request to get in touch.
    assert "UDD PMI DKI Jakarta would like to talk to you about this donation." in html
    assert "not used" in html and "safely" not in html and "unsafe" not in html.lower().replace("unsafe-", "")


def test_call_out_answer(signed_in, fake_api):
    call = {
        "id": 4,
        "collection_site": {
            "id": 1,
            "name": "UDD PMI DKI Jakarta",
            "address": "Jl. Kramat Raya 47",
            "city": "Jakarta",
            "phone": "",
        },
        "blood_group": "O-",
        "donation_type": "whole_blood",
        "come_by": "2026-11-29T10:00:00Z",
        "status": "open",
        "my_answer": "",
    }
    fake_api.on("GET", "call-outs", body={"count": 1, "results": [call]})
    html = signed_in.get("/me/call-outs/").content.decode()
    assert "O- needed" in html and 'value="coming"' in html
    fake_api.on("POST", r"call-outs/4/answer", body={**call, "my_answer": "coming"})
    response = signed_in.post("/me/call-outs/4/answer/", {"answer": "coming"})
    assert response["Location"] == "/me/call-outs/"
    assert fake_api.last_json("POST", "call-outs/4/answer") == {"answer": "coming"}
    signed_in.post("/me/call-outs/4/answer/", {"answer": "maybe"})
    assert len([r for r in fake_api.requests if r.url.path.endswith("/answer")]) == 1


def test_inbox_marks_messages_read_and_links_call_outs(signed_in, fake_api):
    note = {
        "id": 3,
        "kind": "call_out",
        "title": "Urgent: O-",
        "body": "Please come",
        "created_at": "2026-11-29T01:00:00Z",
        "read": False,
    }
    fake_api.on("GET", "notifications", body={"count": 1, "results": [note]})
    html = signed_in.get("/me/notifications/").content.decode()
    assert "Urgent: O-" in html and 'href="/me/call-outs/"' in html
    fake_api.on("POST", r"notifications/3/read", status=204)
    assert signed_in.post("/me/notifications/3/read/")["Location"] == "/me/notifications/"


def test_donor_profile_saves_and_shows_field_errors(signed_in, fake_api):
    donor = {
        "id": 1,
        "donor_number": "JKT-000123",
        "blood_group": "O+",
        "group_confirmed": True,
        "phone": "0812",
        "notify_channels": ["in_app"],
    }
    fake_api.on("GET", "donors/me", body=donor)
    html = signed_in.get("/me/").content.decode()
    assert "JKT-000123" in html and 'value="0812"' in html
    fake_api.on(
        "PATCH",
        "donors/me",
        status=400,
        body={
            "status": 400,
            "code": "invalid",
            "detail": "Invalid input.",
            "fields": {"weight_kg": ["Too light to donate."]},
        },
    )
    form = {
        "phone": "0812",
        "weight_kg": "40",
        "city": "Depok",
        "notify_channels": ["in_app", "email"],
        "call_out_opt_in": "on",
    }
    html = signed_in.post("/me/", form).content.decode()
    assert '<p class="error" id="id_weight_kg_error">Too light to donate.</p>' in html
    sent = fake_api.last_json("PATCH", "donors/me")
    assert (
        sent["weight_kg"] == "40" and sent["call_out_opt_in"] is True and sent["notify_channels"] == ["in_app", "email"]
    )


def test_donor_states_group_and_home_until_the_lab_confirms_it(signed_in, fake_api):
    fake_api.on("GET", "donors/me", body={"id": 1, "donor_number": "D1", "blood_group": "", "group_confirmed": False})
    html = signed_in.get("/me/").content.decode()
    assert 'name="abo"' in html and 'name="latitude"' in html and 'data-lat="latitude"' in html
    fake_api.on("PATCH", "donors/me", body={})
    signed_in.post("/me/", {"abo": "B", "rhd": "-", "latitude": "-6.2", "longitude": "106.8"})
    sent = fake_api.last_json("PATCH", "donors/me")
    assert (sent["abo"], sent["rhd"], sent["latitude"], sent["longitude"]) == ("B", "-", -6.2, 106.8)
    fake_api.on("GET", "donors/me", body={"id": 1, "donor_number": "D1", "blood_group": "B-", "group_confirmed": True})
    assert 'name="abo"' not in signed_in.get("/me/").content.decode()


def test_inbox_link_shows_the_unread_count_once_per_page_for_signed_in_users(signed_in, fake_api):
    fake_api.on("GET", "notifications/unread-count", body={"unread": 3})
    fake_api.on("GET", "notifications", body={"count": 0, "results": []})
    fake_api.requests.clear()
    html = signed_in.get("/me/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<span class="badge">3<span class="visually-hidden"> unread</span></span>' in html
    assert [r.url.path for r in fake_api.requests].count("/api/v1/notifications/unread-count") == 1
    fake_api.on("GET", "notifications/unread-count", body={"unread": 0})
    assert 'class="badge"' not in signed_in.get("/me/notifications/").content.decode()


def test_unread_count_failing_leaves_the_badge_out_and_the_page_up(signed_in, fake_api):
    fake_api.on("GET", "notifications", body={"count": 0, "results": []})
    fake_api.on("GET", "notifications/unread-count", status=500, body={"status": 500, "code": "error", "detail": "x"})
    response = signed_in.get("/me/notifications/")
    assert response.status_code == 200 and 'class="badge"' not in response.content.decode()


def test_visitors_pages_never_ask_for_an_unread_count(client, fake_api):
    fake_api.on("GET", "stock", body={"generated_at": "2026-11-29T02:00:00Z", "results": [], "totals": {}})
    assert client.get("/").status_code == 200
    assert client.get("/login/").status_code == 200
    assert not [r for r in fake_api.requests if "unread" in r.url.path]
