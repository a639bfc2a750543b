"""Public pages: the stock dashboard (table and server-side SVG chart), drives, blood banks."""

import re

from webfakes import USER


def row(site_id, name, abo, rhd, available, level, component="PRC", province="DKI Jakarta"):
    return {
        "site_id": site_id,
        "site_name": name,
        "city": "Jakarta",
        "province": province,
        "abo": abo,
        "rhd": rhd,
        "component": component,
        "available": available,
        "soonest_expiry": "2026-12-20",
        "days_of_supply": 3.5,
        "level": level,
    }


STOCK = {
    "generated_at": "2026-11-29T02:00:00Z",
    "results": [
        row(1, "UDD Jakarta", "O", "+", 40, "adequate"),
        row(1, "UDD Jakarta", "O", "+", 2, "critical"),
        row(1, "UDD Jakarta", "AB", "-", 1, "low"),
        row(2, "UDD Bandung", "A", "+", 12, "adequate", province="Jawa Barat"),
    ],
    "totals": {},
}


def test_dashboard_shows_blood_banks_by_group_colour_coded_and_a_bar_chart(client, fake_api):
    fake_api.on("GET", "stock", body=STOCK)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    jakarta = html[html.index("UDD Jakarta") : html.index("</tr>", html.index("UDD Jakarta"))]
    cells = re.findall(r'<td class="level-(\w+)"[^>]*>(\d+)', jakarta)
    # Two rows of one cell add up and show the worse level; groups with nothing show "none".
    assert cells == [
        ("critical", "42"),
        ("none", "0"),
        ("none", "0"),
        ("none", "0"),
        ("none", "0"),
        ("none", "0"),
        ("none", "0"),
        ("low", "1"),
    ]
    assert html.index("UDD Jakarta") < html.index("UDD Bandung") or "Jawa Barat" < "DKI Jakarta"
    chart = html[html.index("<svg") : html.index("</svg>")]
    # Bars are split by the level at the banks holding the units: O+ (42, all at a critical
    # bank) is the longest; A+ (12, adequate at Bandung) and AB- (1, low) follow.
    assert chart.count("<rect") == 3
    assert 'width="236.0" class="bar level-critical"><title>O+: 42 (Critical)</title>' in chart
    assert 'width="67.4" class="bar level-adequate"><title>A+: 12 (Adequate)</title>' in chart
    assert 'class="bar level-low"><title>AB-: 1 (Low)</title>' in chart


def test_dashboard_shows_red_cells_unless_asked_otherwise(client, fake_api):
    fake_api.on("GET", "stock", body=STOCK)
    client.get("/")
    assert dict(fake_api.last("GET", "stock").url.params) == {"component": "PRC"}


def test_dashboard_filters_by_province_and_component(client, fake_api):
    fake_api.on("GET", "stock", body=STOCK)
    client.get("/?province=Jawa+Barat&component=TC")
    params = dict(fake_api.last("GET", "stock").url.params)
    assert params == {"province": "Jawa Barat", "component": "TC"}


def test_dashboard_in_indonesian(client, fake_api):
    fake_api.on("GET", "stock", body=STOCK)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert '<html lang="id">' in html
    assert "Stok darah hari ini" in html
    assert "Kritis" in html


def test_drive_search_passes_the_typed_city_and_dates(client, fake_api):
    fake_api.on(
        "GET",
        "drives",
        body={
            "count": 1,
            "results": [
                {
                    "id": 3,
                    "name": "Donor Darah Kampus UI",
                    "city": "Depok",
                    "location_name": "Balairung UI",
                    "organiser_name": "UDD PMI Kota Depok",
                    "date": "2026-12-01",
                    "start_time": "08:00:00",
                    "end_time": "14:00:00",
                    "donation_types": ["whole_blood"],
                    "distance_km": None,
                    "slots": [
                        {
                            "id": 30,
                            "starts_at": "2020-01-01T01:00:00Z",
                            "ends_at": "2020-01-01T01:30:00Z",
                            "capacity": 4,
                            "free": 4,
                        },
                        {
                            "id": 31,
                            "starts_at": "2036-12-01T01:00:00Z",
                            "ends_at": "2036-12-01T01:30:00Z",
                            "capacity": 4,
                            "free": 2,
                        },
                    ],
                }
            ],
        },
    )
    html = client.get(
        "/drives/?city=Depok&date_from=2026-12-01&has_free_slots=on", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert dict(fake_api.last("GET", "drives").url.params) == {
        "city": "Depok",
        "date_from": "2026-12-01",
        "has_free_slots": "true",
    }
    assert "Donor Darah Kampus UI" in html
    assert "08:00–08:30" in html  # the slot at 01:00 UTC shown in Asia/Jakarta
    assert "Balairung UI" in html
    assert "4 places left" not in html  # a slot in the past is not offered
    assert "2 places left" in html
    assert "Log in to book a place" in html


def test_drive_search_near_me_sends_coordinates_and_radius(client, fake_api):
    fake_api.on("GET", "drives", body={"count": 0, "results": []})
    client.get("/drives/?lat=-6.2&lon=106.8&radius_km=10")
    params = dict(fake_api.last("GET", "drives").url.params)
    assert params == {"lat": "-6.2", "lon": "106.8", "radius_km": "10"}


def test_a_searched_point_reaches_the_api_rounded_to_about_a_kilometre(client, fake_api):
    fake_api.on("GET", "drives", body={"count": 0, "results": []})
    fake_api.on("GET", "sites", body={"count": 0, "results": []})
    client.get("/drives/?lat=-6.21234&lon=106.84567&radius_km=10")
    assert dict(fake_api.last("GET", "drives").url.params) == {"lat": "-6.21", "lon": "106.85", "radius_km": "10"}
    client.get("/blood-banks/?lat=-6.21234&lon=106.84567")
    params = dict(fake_api.last("GET", "sites").url.params)
    assert (params["lat"], params["lon"]) == ("-6.21", "106.85")


def test_drive_search_bad_date_is_shown_beside_the_field(client, fake_api):
    html = client.get("/drives/?date_from=31-31-2026", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="id_date_from_error"' in html
    assert not fake_api.requests


def test_signed_in_donor_can_book_from_the_drive_list(signed_in, fake_api):
    fake_api.on("POST", "appointments", status=201, body={"id": 9, "status": "booked"})
    response = signed_in.post("/me/appointments/book/", {"slot": "31", "donation_type": "whole_blood"})
    assert response["Location"] == "/me/appointments/9/questions/"
    assert fake_api.last_json("POST", "appointments") == {"slot": 31, "donation_type": "whole_blood"}
    assert fake_api.last("POST", "appointments").headers["Authorization"] == "Bearer tok-ani"


def test_full_slot_conflict_becomes_a_message(signed_in, fake_api):
    fake_api.on(
        "POST", "appointments", status=409, body={"status": 409, "code": "conflict", "detail": "This slot is full."}
    )
    fake_api.on("GET", "drives", body=[])
    response = signed_in.post(
        "/me/appointments/book/", {"slot": "31", "donation_type": "whole_blood"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This slot is full." in response.content.decode()


def test_blood_bank_page_shows_its_stock_and_drives(client, fake_api):
    fake_api.on("GET", r"sites/1", body={"id": 1, "name": "UDD Jakarta", "city": "Jakarta", "province": "DKI Jakarta"})
    fake_api.on("GET", "stock", body=STOCK)
    fake_api.on("GET", "drives", body=[{"id": 3, "name": "Drive A", "date": "2026-12-01", "start_time": "08:00:00"}])
    html = client.get("/blood-banks/1/").content.decode()
    assert "UDD Jakarta" in html and "Drive A" in html and "<svg" in html
    assert dict(fake_api.last("GET", "stock").url.params) == {"site": "1", "component": "PRC"}
    assert dict(fake_api.last("GET", "drives").url.params) == {"organiser": "1"}


def test_donor_card_has_a_qr_code_of_the_donor_number(signed_in, fake_api):
    fake_api.on("GET", "donors/me", body={"donor_number": "JKT-000123", "abo": "O", "rhd": "+"})
    html = signed_in.get("/me/card/").content.decode()
    assert "JKT-000123" in html
    assert "<svg" in html and "<path" in html
    assert USER["full_name"] in html


def test_home_still_works_when_the_api_has_no_stock_figures(client, fake_api):
    response = client.get("/")  # the fake answers 404 for everything not routed
    assert response.status_code == 200
    assert "Stock figures are not available right now." in response.content.decode()


def test_booking_goes_back_to_this_site_only(signed_in, fake_api):
    """Without a donation type (or when the api refuses) the donor goes back to the drive list
    they came from, never to another host a crafted form names."""
    fake_api.on("POST", "appointments", status=409, body={"status": 409, "code": "conflict", "detail": "Full."})
    for form in ({"slot": "31"}, {"slot": "31", "donation_type": "whole_blood"}):
        assert signed_in.post("/me/appointments/book/", {**form, "back": "/drives/?city=Bogor"})["Location"] == (
            "/drives/?city=Bogor"
        )
        for elsewhere in ("https://evil.example/drives/", "//evil.example/"):
            assert signed_in.post("/me/appointments/book/", {**form, "back": elsewhere})["Location"] == "/drives/"
