"""The cold-chain pages for blood-bank staff, the api faked at the HTTP layer: storage locations with
their last reading, a reading by hand, closing an excursion (a decision per unit, confirmed), the
end-of-day count by scanning, and a unit's location and move."""

import json

from test_staff_pages import staff  # noqa: F401 - fixture
from test_unit_pages import UNIT

FRIDGE = {
    "id": 3,
    "site": 1,
    "site_name": "UDD Jakarta",
    "code": "K1",
    "name": "Blood fridge 1",
    "kind": "fridge",
    "min_c": "2.0",
    "max_c": "6.0",
    "is_active": True,
    "has_device": True,
    "last_reading": {"temperature_c": "9.5", "taken_at": "2036-01-01T02:00:00Z", "in_range": False},
    "open_excursion": 8,
    "units_stored": 2,
}
FREEZER = {
    **FRIDGE,
    "id": 4,
    "code": "F1",
    "name": "Plasma freezer",
    "kind": "freezer",
    "min_c": "-40.0",
    "max_c": "-18.0",
    "last_reading": None,
    "open_excursion": None,
    "units_stored": 0,
    "has_device": False,
}
HELD = [
    {
        "unit": 11,
        "din": "T999926000008",
        "component": "PRC",
        "product_code": "E0002V00",
        "state": "quarantined",
        "state_at_hold": "available",
        "needs_scan": True,
        "decision": "pending",
        "decided_at": None,
        "decided_by": None,
    },
    {
        "unit": 12,
        "din": "T999926000011",
        "component": "PRC",
        "product_code": "E0002V00",
        "state": "quarantined",
        "state_at_hold": "quarantined",
        "needs_scan": False,
        "decision": "pending",
        "decided_at": None,
        "decided_by": None,
    },
]
EXCURSION = {
    "id": 8,
    "kind": "storage",
    "site": 1,
    "location": 3,
    "location_code": "K1",
    "transfer": None,
    "temperature_c": "9.5",
    "status": "open",
    "opened_at": "2036-01-01T02:00:00Z",
    "closed_at": None,
    "closed_by": None,
    "reason": "",
    "held": HELD,
}
COUNT = {
    "id": 5,
    "location": 3,
    "location_code": "K1",
    "site": 1,
    "at": "2036-01-01T10:00:00Z",
    "by": 2,
    "expected": 2,
    "counted": 2,
    "matched": 1,
    "unresolved": 2,
    "items": [
        {
            "id": 21,
            "kind": "missing",
            "unit": 11,
            "din": "T999926000008",
            "product_code": "E0002V00",
            "resolved_at": None,
            "resolved_by": None,
            "resolution": "",
        },
        {
            "id": 22,
            "kind": "unexpected",
            "unit": None,
            "din": "T999926999999",
            "product_code": "E0002V00",
            "resolved_at": None,
            "resolved_by": None,
            "resolution": "",
        },
    ],
}


def coldchain_api(fake_api):
    fake_api.on("GET", "storage-locations", body=[FRIDGE, FREEZER])
    fake_api.on("GET", r"storage-locations/3", body=FRIDGE)
    fake_api.on("GET", r"storage-locations/3/readings", body=[])
    fake_api.on("GET", "excursions", body={"count": 1, "results": [EXCURSION]})
    fake_api.on("GET", r"excursions/8", body=EXCURSION)
    fake_api.on("GET", r"reconciliations/5", body=COUNT)


def test_the_cold_chain_lists_each_location_with_its_last_reading_and_open_excursions(staff, fake_api):  # noqa: F811
    coldchain_api(fake_api)
    html = staff.get("/staff/cold-chain/").content.decode()
    assert "Blood fridge 1" in html and "9.5 °C" in html and "out of range" in html
    assert "Plasma freezer" in html and "No reading yet." in html
    assert 'href="/staff/cold-chain/excursions/8/"' in html and "2 units held" in html
    assert fake_api.last("GET", "excursions").url.params["status"] == "open"


def test_a_reading_by_hand_is_posted_and_an_out_of_range_one_warns(staff, fake_api):  # noqa: F811
    coldchain_api(fake_api)
    reading = {
        "id": 1,
        "location": 3,
        "taken_at": "2036-01-01T03:00:00Z",
        "temperature_c": "9.0",
        "in_range": False,
        "source": "staff",
        "recorded_by": 2,
        "recorded_at": "2036-01-01T03:00:01Z",
        "excursion": 8,
    }
    fake_api.on("POST", r"storage-locations/3/readings", status=201, body=reading)
    empty = staff.post("/staff/cold-chain/3/", {})
    assert empty.status_code == 200 and not [
        r for r in fake_api.requests if "readings" in r.url.path and r.method == "POST"
    ]
    posted = staff.post("/staff/cold-chain/3/", {"taken_at": "2036-01-01T10:00", "temperature_c": "9.0"})
    assert posted["Location"] == "/staff/cold-chain/3/"
    sent = fake_api.last_json("POST", "storage-locations/3/readings")
    assert sent["temperature_c"] == "9.0" and sent["taken_at"].startswith("2036-01-01T10:00:00+07:00")
    assert "an excursion holds the units kept here" in staff.get("/staff/cold-chain/3/").content.decode()


def test_closing_an_excursion_asks_each_decision_the_scans_and_a_confirmation(staff, fake_api):  # noqa: F811
    coldchain_api(fake_api)
    html = staff.get("/staff/cold-chain/excursions/8/").content.decode()
    assert '<option value="" selected>' in html  # nothing chosen beforehand
    assert 'name="din-11"' in html and 'name="din-12"' not in html  # only a unit going back into stock is scanned
    fake_api.on("POST", r"excursions/8/close", body={**EXCURSION, "status": "closed"})
    half = staff.post("/staff/cold-chain/excursions/8/", {"decision-11": "release", "reason": "ok", "confirm": "on"})
    assert half.status_code == 400
    assert "Scan its DIN barcode and its product barcode" in half.content.decode()
    assert "Choose release or discard." in half.content.decode()
    body = {
        "decision-11": "release",
        "din-11": "=T99992600000868",
        "product-11": "=<E0002V00",
        "decision-12": "discard",
        "reason": "Door open 20 minutes.",
    }
    unconfirmed = staff.post("/staff/cold-chain/excursions/8/", body)
    assert unconfirmed.status_code == 400
    assert not [r for r in fake_api.requests if r.url.path.endswith("/close")]
    done = staff.post("/staff/cold-chain/excursions/8/", {**body, "confirm": "on"})
    assert done["Location"] == "/staff/cold-chain/"
    assert fake_api.last_json("POST", "excursions/8/close") == {
        "reason": "Door open 20 minutes.",
        "units": [
            {"unit": 11, "decision": "release", "din": "=T99992600000868", "product_code": "=<E0002V00"},
            {"unit": 12, "decision": "discard"},
        ],
    }


def test_an_excursion_refused_by_the_api_says_why_on_the_page(staff, fake_api):  # noqa: F811
    coldchain_api(fake_api)
    detail = "The label does not match this unit: the product barcode belongs to another bag or product."
    fake_api.on(
        "POST", r"excursions/8/close", status=409, body={"status": 409, "code": "label_mismatch", "detail": detail}
    )
    body = {
        "decision-11": "release",
        "din-11": "=T99992600000868",
        "product-11": "=<E0003V00",
        "decision-12": "release",
        "reason": "Inspected.",
        "confirm": "on",
    }
    refused = staff.post("/staff/cold-chain/excursions/8/", body)
    assert refused.status_code == 409 and detail in refused.content.decode()


def test_the_end_of_day_count_is_scanned_and_each_difference_resolved(staff, fake_api):  # noqa: F811
    coldchain_api(fake_api)
    fake_api.on("POST", "reconciliations", status=201, body=COUNT)
    odd = staff.post("/staff/cold-chain/3/count/", {"scans": "=T99992600000868\n"})
    assert odd["Location"] == "/staff/cold-chain/3/"
    assert "Each bag needs two scans" in staff.get("/staff/cold-chain/3/").content.decode()
    scans = "=T99992600000868\n=<E0002V00\n\n=T99992699999900\n=<E0002V00\n"
    posted = staff.post("/staff/cold-chain/3/count/", {"scans": scans})
    assert posted["Location"] == "/staff/cold-chain/counts/5/"
    assert fake_api.last_json("POST", "reconciliations") == {
        "location": 3,
        "scans": [
            {"din": "=T99992600000868", "product_code": "=<E0002V00"},
            {"din": "=T99992699999900", "product_code": "=<E0002V00"},
        ],
    }
    html = staff.get("/staff/cold-chain/counts/5/").content.decode()
    assert "Missing" in html and "Unexpected" in html and "unknown to dblood" in html
    fake_api.on("POST", r"reconciliations/5/items/21/resolve", body={**COUNT["items"][0], "resolution": "Found"})
    resolved = staff.post("/staff/cold-chain/counts/5/items/21/resolve/", {"resolution": "Found in K2, moved back."})
    assert resolved["Location"] == "/staff/cold-chain/counts/5/"
    assert json.loads(fake_api.last("POST", "reconciliations/5/items/21/resolve").content) == {
        "resolution": "Found in K2, moved back."
    }


def test_the_unit_page_shows_where_the_unit_is_and_moves_it(staff, fake_api):  # noqa: F811
    coldchain_api(fake_api)
    fake_api.on("GET", r"units/4", body={**UNIT, "storage_location": 3})
    html = staff.get("/staff/units/4/").content.decode()
    assert 'href="/staff/cold-chain/3/"' in html and "K1 · Blood fridge 1" in html
    assert 'action="/staff/units/4/move/"' in html and '<option value="4">F1 · Plasma freezer</option>' in html
    fake_api.on("POST", "unit-moves", status=201, body={"id": 1, "unit": 4, "from_location": 3, "to_location": 4})
    assert staff.post("/staff/units/4/move/", {"to_location": ""})["Location"] == "/staff/units/4/"
    assert not [r for r in fake_api.requests if r.url.path.endswith("unit-moves")]
    staff.post("/staff/units/4/move/", {"to_location": "4"})
    assert fake_api.last_json("POST", "unit-moves") == {"unit": 4, "to_location": 4}
