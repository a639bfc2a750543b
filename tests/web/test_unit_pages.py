"""The unit page (label printing and the two-scan label check) and the scan fields of the staff
pages that ask for a unit, the api mocked at the HTTP layer."""

import re

import httpx
import pytest
from test_staff_pages import REQUEST, RETURNS, STAFF, log_in_as, request_api, staff  # noqa: F401 - fixtures

LABEL_NEVER = {"prints": 0, "last_printed_at": None, "last_kind": None, "current": False, "verified": False}
LABEL_PRINTED = {
    "prints": 1,
    "last_printed_at": "2036-01-01T02:00:00Z",
    "last_kind": "first",
    "current": True,
    "verified": False,
}
UNIT = {
    "id": 4,
    "din": "T999926000008",
    "component": "PRC",
    "product_code": "E0001V00",
    "abo": "A",
    "rhd": "+",
    "site": 1,
    "site_name": "UDD Jakarta",
    "state": "quarantined",
    "expires_at": "2036-02-05T16:59:00Z",
    "events": [],
    "label": LABEL_PRINTED,
}
DIN_SCAN, PRODUCT_SCAN = "=T99992600000868", "=<E0001V00"
PDF = b"%PDF-1.4 a label"


def unit_api(fake_api, **label):
    fake_api.on("GET", r"units/4", body={**UNIT, "label": {**LABEL_PRINTED, **label}})


def test_the_unit_page_shows_the_unit_and_its_labels_state(staff, fake_api):  # noqa: F811
    fake_api.on("GET", r"units/4", body={**UNIT, "label": LABEL_NEVER})
    html = staff.get("/staff/units/4/").content.decode()
    for text in ("T999926000008", "Packed red cells", "E0001V00", "A+", "In quarantine", "UDD Jakarta"):
        assert text in html, text
    assert "Not printed yet." in html
    assert 'href="/staff/units/4/label.pdf"' in html and 'href="/staff/units/4/label.zpl"' in html
    assert ">Print label (PDF)<" in html
    unit_api(fake_api, current=False, last_kind="first")
    html = staff.get("/staff/units/4/").content.decode()
    assert "no longer says what the unit is: print it again" in html and ">Print the label again (PDF)<" in html
    unit_api(fake_api)
    html = staff.get("/staff/units/4/").content.decode()
    assert "Printed, not yet checked" in html and "Label verified" not in html
    unit_api(fake_api, verified=True)
    assert "Label verified" in staff.get("/staff/units/4/").content.decode()


def test_the_unit_page_in_indonesian(client, fake_api):
    indonesian = log_in_as(client, fake_api, {**STAFF, "language": "id"})
    unit_api(fake_api, current=False)
    html = indonesian.get("/staff/units/4/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    for text in ("Cetak ulang label (PDF)", "Periksa label", "Barcode DIN (pindai dari label)", "Karantina"):
        assert text in html, text
    assert "Check label" not in html and "Print" not in html


@pytest.mark.parametrize(
    ("fmt", "content_type", "disposition"),
    [("pdf", "application/pdf", "inline"), ("zpl", "application/zpl; charset=utf-8", "attachment")],
)
def test_a_label_download_is_the_apis_file_with_its_type_and_name_and_no_cache(
    staff,  # noqa: F811
    fake_api,
    fmt,
    content_type,
    disposition,
):
    name = f'{disposition}; filename="dblood-label-T999926000008-E0001V00.{fmt}"'

    def label(request, match):
        headers = {"Content-Type": content_type, "Content-Disposition": name, "Cache-Control": "no-store"}
        return httpx.Response(200, content=PDF, headers=headers)

    fake_api.on("GET", rf"units/4/label\.{fmt}", handler=label)
    response = staff.get(f"/staff/units/4/label.{fmt}")
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == content_type and response["Content-Disposition"] == name
    assert "no-store" in response["Cache-Control"]
    assert fake_api.last("GET", f"units/4/label.{fmt}").headers["Authorization"] == "Bearer tok"


def test_a_unit_that_cannot_be_labelled_says_why_on_its_page(staff, fake_api):  # noqa: F811
    unit_api(fake_api)
    detail = "This unit has left the blood bank: no label is printed for it."
    fake_api.on("GET", r"units/4/label\.pdf", status=409, body={"status": 409, "code": "conflict", "detail": detail})
    response = staff.get("/staff/units/4/label.pdf", follow=True)
    assert response.redirect_chain == [("/staff/units/4/", 302)]
    assert detail in response.content.decode()


def test_the_label_check_sends_both_scans_and_a_mismatch_keeps_them(client, fake_api):
    indonesian = log_in_as(client, fake_api, {**STAFF, "language": "id"})
    unit_api(fake_api)
    mismatch = "Label tidak cocok dengan kantong ini: barcode produk milik kantong atau produk lain."
    fake_api.on(
        "POST",
        r"units/4/label-verification",
        status=409,
        body={"status": 409, "code": "label_mismatch", "detail": mismatch, "mismatched": ["product_code"]},
    )
    form = {"check-din": DIN_SCAN, "check-product_code": "=<E0002V00"}
    response = indonesian.post("/staff/units/4/", form, HTTP_ACCEPT_LANGUAGE="id")
    html = response.content.decode()
    assert response.status_code == 409 and mismatch in html
    assert f'value="{DIN_SCAN}"' in html and 'value="=&lt;E0002V00"' in html  # the scans stay in the form
    sent = fake_api.last("POST", "units/4/label-verification")
    assert sent.headers["Accept-Language"] == "id"  # the api says it in the reader's language
    assert fake_api.last_json("POST", "units/4/label-verification") == {
        "din": DIN_SCAN,
        "product_code": "=<E0002V00",
    }


def test_a_typed_scan_is_refused_beside_its_field(staff, fake_api):  # noqa: F811
    unit_api(fake_api)
    typed = "Scan the barcode on the printed label: typed data does not verify it."
    fake_api.on(
        "POST",
        r"units/4/label-verification",
        status=400,
        body={"status": 400, "code": "invalid", "detail": "Invalid input.", "fields": {"din": [typed]}},
    )
    html = staff.post("/staff/units/4/", {"check-din": "T999926000008", "check-product_code": PRODUCT_SCAN})
    assert html.status_code == 400
    assert f'<p class="error" id="id_check-din_error">{typed}</p>' in html.content.decode()
    # Nothing scanned at all: asked again, nothing sent.
    sent = len([r for r in fake_api.requests if r.method == "POST"])
    assert 'id="id_check-product_code_error"' in staff.post("/staff/units/4/", {"check-din": DIN_SCAN}).content.decode()
    assert len([r for r in fake_api.requests if r.method == "POST"]) == sent


def test_a_matching_label_check_says_verified(staff, fake_api):  # noqa: F811
    unit_api(fake_api)
    fake_api.on("POST", r"units/4/label-verification", status=201, body={"id": 1, "matched": True, "mismatched": []})
    form = {"check-din": DIN_SCAN, "check-product_code": PRODUCT_SCAN}
    response = staff.post("/staff/units/4/", form)
    assert response.status_code == 302 and response["Location"] == "/staff/units/4/"
    unit_api(fake_api, verified=True)
    html = staff.get("/staff/units/4/").content.decode()
    assert "Label verified: both barcodes match this unit." in html


def test_discarding_from_the_unit_page_comes_back_to_it(staff, fake_api):  # noqa: F811
    fake_api.on("POST", r"units/4/discard", body=UNIT)
    response = staff.post("/staff/units/4/discard/", {"reason": "bag leaking", "confirm": "on", "back": "unit"})
    assert response["Location"] == "/staff/units/4/"
    assert fake_api.last_json("POST", "units/4/discard") == {"reason": "bag leaking"}


def test_the_lab_page_links_each_unit_to_its_page_and_label(staff, fake_api):  # noqa: F811
    unit = {k: UNIT[k] for k in ("id", "component", "product_code", "abo", "rhd", "state", "expires_at")}
    fake_api.on(
        "GET",
        r"donations/8",
        body={"id": 8, "din": "T999926000008", "status": "released", "screening": {}, "units": [unit]},
    )
    html = staff.get("/staff/donations/8/").content.decode()
    card = html.split('id="unit-4"')[1].split("</li>")[0]
    assert 'href="/staff/units/4/"' in card and 'href="/staff/units/4/label.pdf"' in card
    assert "Print label (PDF)" in card and "E0001V00" in card


def test_the_lab_worklist_opens_the_donation_of_a_scanned_din(staff, fake_api):  # noqa: F811
    fake_api.on("GET", "donations/worklist", body=[])
    fake_api.on("GET", "donations", body={"count": 1, "results": [{"id": 8, "din": "T999926000008"}]})
    response = staff.get("/staff/lab/", {"din": DIN_SCAN + PRODUCT_SCAN})
    assert response.status_code == 302 and response["Location"] == "/staff/donations/8/"
    assert fake_api.last("GET", "donations").url.params["din"] == DIN_SCAN + PRODUCT_SCAN  # as scanned
    fake_api.on("GET", "donations", body={"count": 0, "results": []})
    html = staff.get("/staff/lab/", {"din": "T999926000009"}).content.decode()
    assert 'id="id_din_error">No donation with this DIN at your blood banks.' in html
    wrong = "The check character is wrong."
    fake_api.on(
        "GET",
        "donations",
        status=400,
        body={"status": 400, "code": "invalid", "detail": "x", "fields": {"din": [wrong]}},
    )
    html = staff.get("/staff/lab/", {"din": "T9999260000080X"}).content.decode()
    assert f'id="id_din_error">{wrong}' in html


def test_the_lab_worklist_scan_in_indonesian(client, fake_api):
    indonesian = log_in_as(client, fake_api, {**STAFF, "language": "id"})
    fake_api.on("GET", "donations/worklist", body=[])
    fake_api.on("GET", "donations", body={"count": 0, "results": []})
    html = indonesian.get("/staff/lab/", {"din": "T999926000009"}, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Tidak ada donasi dengan DIN ini di UDD Anda." in html and "Buka donasi" in html


def _incoming(din: str, transfer_id: int) -> dict:
    unit = {**UNIT, "id": transfer_id * 10, "din": din, "site": 2}
    return {"id": transfer_id, "unit": unit, "from_site_name": "UDD Bandung", "to_site": 1, "status": "in_transit"}


def test_a_bag_that_arrived_is_received_on_the_two_scans_of_its_label(staff, fake_api):  # noqa: F811
    fake_api.on("GET", "units", body={"count": 0, "results": []})
    fake_api.on("GET", "sites", body={"count": 0, "results": []})
    transfers = [_incoming("T999926000008", 6), _incoming("T999926000011", 7)]
    fake_api.on("GET", "transfers", body={"count": 2, "results": transfers})
    html = staff.get("/staff/inventory/").content.decode()
    assert 'action="/staff/transfers/receive/"' in html
    assert 'name="receive-din"' in html and 'name="receive-product_code"' in html
    assert 'name="receive-temperature_c"' in html
    # The api finds the transfer of the scanned bag (?din=) and checks both scans when booking it in.
    fake_api.on("GET", "transfers", body={"count": 1, "results": transfers[:1]})
    in_stock = {**transfers[0]["unit"], "state": "available"}
    fake_api.on("POST", r"transfers/6/receive", body={**transfers[0], "status": "received", "unit": in_stock})
    scans = {"receive-din": DIN_SCAN, "receive-product_code": PRODUCT_SCAN}
    unmeasured = staff.post("/staff/transfers/receive/", scans)  # a temperature is asked, never assumed
    assert unmeasured["Location"] == "/staff/inventory/"
    assert not [r for r in fake_api.requests if r.method == "POST" and "receive" in r.url.path]
    posted = staff.post("/staff/transfers/receive/", {**scans, "receive-temperature_c": "4.5"})
    assert posted["Location"] == "/staff/inventory/"
    search = fake_api.last("GET", "transfers").url.params
    assert (search["din"], search["status"]) == (DIN_SCAN + PRODUCT_SCAN, "in_transit")
    sent = {"din": DIN_SCAN, "product_code": PRODUCT_SCAN, "temperature_c": "4.5"}
    assert fake_api.last_json("POST", "transfers/6/receive") == sent
    assert "The unit is received into your stock." in staff.get("/staff/inventory/").content.decode()
    # Arrived out of its transport range (or held by a recall): received, into quarantine, and said so.
    held = {**transfers[0]["unit"], "state": "quarantined"}
    fake_api.on("POST", r"transfers/6/receive", body={**transfers[0], "status": "received", "unit": held})
    staff.post("/staff/transfers/receive/", {**scans, "receive-temperature_c": "14.0"})
    assert (
        "into quarantine: a recall or its temperature on arrival holds it"
        in staff.get("/staff/inventory/").content.decode()
    )


def test_a_scan_of_a_bag_not_on_its_way_or_of_another_label_is_refused_in_words(staff, fake_api):  # noqa: F811
    fake_api.on("GET", "units", body={"count": 0, "results": []})
    fake_api.on("GET", "sites", body={"count": 0, "results": []})
    fake_api.on("GET", "transfers", body={"count": 0, "results": []})
    scans = {"receive-din": DIN_SCAN, "receive-product_code": PRODUCT_SCAN, "receive-temperature_c": "4.0"}
    staff.post("/staff/transfers/receive/", scans)
    html = staff.get("/staff/inventory/").content.decode()
    assert "No unit with these barcodes is on its way to your blood bank." in html
    fake_api.on("GET", "transfers", body={"count": 1, "results": [_incoming("T999926000008", 6)]})
    mismatch = "The label does not match this unit: the product barcode belongs to another bag or product."
    fake_api.on(
        "POST",
        r"transfers/6/receive",
        status=409,
        body={"status": 409, "code": "label_mismatch", "detail": mismatch, "mismatched": ["product_code"]},
    )
    staff.post("/staff/transfers/receive/", scans)
    assert mismatch in staff.get("/staff/inventory/").content.decode()
    staff.post("/staff/transfers/receive/", {"receive-din": DIN_SCAN})  # one scan is not enough
    html = staff.get("/staff/inventory/").content.decode()
    assert "Scan the DIN barcode and the product barcode of the bag&#x27;s label, and give its temperature." in html
    assert len([r for r in fake_api.requests if r.method == "POST" and "receive" in r.url.path]) == 1


def test_issuing_ticks_the_scanned_reserved_unit_and_nothing_else(staff, fake_api):  # noqa: F811
    request_api(fake_api)
    fake_api.on("GET", r"units/din/.*", body=[{**UNIT, "id": 11, "din": "G1234360000011", "state": "reserved"}])
    html = staff.get("/requests/3/", {"scan": "=G123436000001100"}).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="([^"]+)" value="([^"]+)"[^>]* checked', html)
    assert ticked == [("issue-units", "11")]  # the scanned unit; the label check stays the clerk's to confirm
    fake_api.on("GET", r"units/din/.*", body=[{**UNIT, "id": 99, "state": "available"}])
    html = staff.get("/requests/3/", {"scan": "T999926000008"}).content.decode()
    assert 'id="id_scan_error">This unit is not reserved for this request here.' in html
    assert not re.findall(r"<input[^>]* checked", html)
    fake_api.on("GET", r"units/din/.*", status=404, body={"status": 404, "code": "not_found", "detail": "x"})
    html = staff.get("/requests/3/", {"scan": "T999926000099"}).content.decode()
    assert 'id="id_scan_error">No unit with this DIN at your blood banks.' in html
    assert REQUEST["allocations"][0]["unit"] == 11


def test_the_returns_page_finds_the_return_of_the_scanned_bag(staff, fake_api):  # noqa: F811
    fake_api.on("GET", "returns", body={"count": len(RETURNS), "results": RETURNS})
    pending = [r for r in RETURNS if not r.get("decision")]
    wanted, other = pending[0], pending[1]
    fake_api.on("GET", r"units/din/.*", body=[{**UNIT, "id": wanted["unit"], "din": wanted["din"]}])
    html = staff.get("/staff/returns/", {"scan": "=" + wanted["din"]}).content.decode()
    assert f'id="return-{wanted["id"]}"' in html and f'id="return-{other["id"]}"' not in html
    fake_api.on("GET", r"units/din/.*", body=[{**UNIT, "id": 999}])
    html = staff.get("/staff/returns/", {"scan": "T999926000008"}).content.decode()
    assert 'id="id_scan_error">No return of this unit awaits inspection.' in html
    assert f'id="return-{other["id"]}"' in html  # nothing found: the whole list stays


def test_the_inventory_links_each_unit_to_its_page(staff, fake_api):  # noqa: F811
    fake_api.on("GET", "units", body={"count": 1, "results": [UNIT]})
    fake_api.on("GET", "sites", body={"count": 0, "results": []})
    fake_api.on("GET", "transfers", body={"count": 0, "results": []})
    fake_api.on("GET", r"units/din/.*", body=[{**UNIT, "id": 5, "din": "T999926000011"}])
    html = staff.get("/staff/inventory/", {"scan": "T999926000011"}).content.decode()
    assert '<a href="/staff/units/4/">T999926000008</a>' in html  # the list
    assert '<a href="/staff/units/5/">T999926000011</a>' in html  # the scan's answer
