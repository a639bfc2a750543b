"""The donor's channels and phone, the public processing fee (BPPD), the bank's fee settings and
the fee on the issue note; the api faked at the HTTP layer."""

from test_staff_pages import REQUEST, STAFF, posts, request_api, staff  # noqa: F401 - fixtures
from webfakes import staff_home_reads

DONOR = {"id": 1, "donor_number": "JKT-000123", "blood_group": "O+", "group_confirmed": True, "phone": ""}
BANK = {
    "id": 1,
    "name": "UDD Jakarta",
    "kind": "blood_bank",
    "city": "Jakarta",
    "province": "DKI Jakarta",
    "processing_fees": [
        {"component": "PRC", "component_name": "Packed red cells", "amount_idr": 360000, "updated_at": "x"},
        {"component": "CPP", "component_name": "Cryo-poor plasma", "amount_idr": 150000, "updated_at": "x"},
    ],
}


def test_the_donor_picks_only_the_channels_on_offer(signed_in, fake_api):
    fake_api.on("GET", "donors/me", body={**DONOR, "available_channels": ["in_app", "email"]})
    html = signed_in.get("/me/").content.decode()
    assert 'value="email"' in html and 'value="sms"' not in html and 'value="whatsapp"' not in html
    fake_api.on("GET", "donors/me", body={**DONOR, "available_channels": ["in_app", "email", "sms", "whatsapp"]})
    html = signed_in.get("/me/").content.decode()
    assert 'value="sms"' in html and 'value="whatsapp"' in html and 'type="tel"' in html


def test_the_phone_goes_to_the_api_and_its_refusal_shows_beside_the_field(signed_in, fake_api):
    fake_api.on("GET", "donors/me", body={**DONOR, "available_channels": ["in_app", "email", "sms"]})
    refusal = {
        "status": 400,
        "code": "invalid",
        "detail": "Invalid input.",
        "fields": {"phone": ["Enter a phone number such as 0812 3456 7890 or +62 812 3456 7890."]},
    }
    fake_api.on("PATCH", "donors/me", status=400, body=refusal)
    html = signed_in.post("/me/", {"phone": "0812", "notify_channels": ["sms"]}).content.decode()
    assert 'id="id_phone_error">Enter a phone number such as 0812 3456 7890' in html
    assert fake_api.last_json("PATCH", "donors/me") == {
        "phone": "0812",
        "notify_channels": ["sms"],
        "call_out_opt_in": False,
    }
    fake_api.on("PATCH", "donors/me", body={**DONOR, "phone": "+6281234567890"})
    assert signed_in.post("/me/", {"phone": "0812 3456 7890", "notify_channels": ["sms"]})["Location"] == "/me/"


def test_the_public_bank_page_shows_its_fees_and_that_blood_is_not_sold(client, fake_api):
    fake_api.on("GET", r"sites/1", body=BANK)
    fake_api.on("GET", "stock", body={"generated_at": None, "results": []})
    fake_api.on("GET", "drives", body=[])
    html = client.get("/blood-banks/1/").content.decode()
    table = html.split('id="processing-fees"')[1].split("</table>")[0]
    assert "Packed red cells" in table and "Rp 360.000" in table
    assert "Cryo-poor plasma" in table and "Rp 150.000" in table
    assert "Blood is never sold." in html
    html = client.get("/blood-banks/1/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Darah tidak pernah dijual." in html and "Biaya per kantong" in html


def test_a_bank_without_fees_says_so_and_a_hospital_shows_none(client, fake_api):
    fake_api.on("GET", "stock", body={"generated_at": None, "results": []})
    fake_api.on("GET", "drives", body=[])
    fake_api.on("GET", r"sites/1", body={**BANK, "processing_fees": []})
    assert "has not published its fees yet" in client.get("/blood-banks/1/").content.decode()
    fake_api.on("GET", r"sites/1", body={**BANK, "kind": "hospital", "processing_fees": []})
    assert "Processing fee (BPPD)" not in client.get("/blood-banks/1/").content.decode()


def test_the_stock_page_says_blood_is_never_sold_in_both_languages(client, fake_api):
    fake_api.on("GET", "stock", body={"generated_at": None, "results": []})
    assert "Blood is never sold." in client.get("/").content.decode()
    assert "Darah tidak pernah dijual." in client.get("/", HTTP_ACCEPT_LANGUAGE="id").content.decode()


def test_bank_staff_set_the_fees(staff, fake_api):  # noqa: F811
    fake_api.on("GET", r"sites/1", body=BANK)
    html = staff.get("/staff/fees/").content.decode()
    assert 'name="PRC"' in html and 'value="360000"' in html and 'name="CPP"' in html and 'value="150000"' in html
    fake_api.on("PUT", r"sites/1/fees", body={"fees": []})
    response = staff.post("/staff/fees/", {"PRC": "380000", "TC": "490000", "FFP": ""})
    assert response["Location"] == "/staff/fees/"
    sent = fake_api.last_json("PUT", "sites/1/fees")
    assert sent == {"fees": [{"component": "PRC", "amount_idr": 380000}, {"component": "TC", "amount_idr": 490000}]}
    html = staff.post("/staff/fees/", {"PRC": "-5"}).content.decode()
    assert 'id="id_PRC_error"' in html
    refusal = {
        "status": 400,
        "code": "invalid",
        "detail": "Invalid input.",
        "fields": {"fees": ["A component is listed twice."]},
    }
    fake_api.on("PUT", r"sites/1/fees", status=400, body=refusal)
    assert "A component is listed twice." in staff.post("/staff/fees/", {"PRC": "1"}).content.decode()


def test_the_staff_home_links_the_fee_settings(client, fake_api):
    from test_staff_pages import log_in_as

    staff_home_reads(fake_api)
    log_in_as(client, fake_api, STAFF)
    assert 'href="/staff/fees/"' in client.get("/staff/").content.decode()


def test_the_issue_note_shows_each_bags_fee_and_the_total(staff, fake_api):  # noqa: F811
    issued = [
        {
            **REQUEST["allocations"][0],
            "status": "issued",
            "issued_at": "2036-01-01T02:00:00Z",
            "processing_fee_idr": 360000,
        },
        {
            **REQUEST["allocations"][0],
            "id": 21,
            "din": "G1234360000012",
            "status": "issued",
            "issued_at": "2036-01-01T02:00:00Z",
            "processing_fee_idr": None,
        },
    ]
    request_api(fake_api, {**REQUEST, "status": "issued", "allocations": issued})
    html = staff.get("/requests/3/").content.decode()
    note = html.split('id="issue-note"')[1].split("</section>")[0]
    assert "Rp 360.000" in note and "no published fee" in note and "Blood is never sold." in note
    assert '<span id="issue-fee-total">Rp 360.000</span>' in note


def test_the_issue_confirmation_names_the_fee(staff, fake_api):  # noqa: F811
    request_api(fake_api)
    note = {
        "bank": "UDD Jakarta",
        "hospital": "RSCM",
        "issued_at": "2036-01-01T02:00:00Z",
        "lines": [{"component": "PRC", "units": 1, "fee_per_unit_idr": 360000, "subtotal_idr": 360000}],
        "total_idr": 360000,
        "blood_is_not_sold": "Blood is never sold.",
    }
    fake_api.on("POST", r"requests/3/issue", body={**REQUEST, "issue_note": note})
    response = staff.post("/requests/3/issue/", {"issue-units": ["11"], "issue-confirm": "on"}, follow=True)
    html = response.content.decode()
    assert "Processing fee (BPPD) for these units: Rp 360.000." in html
