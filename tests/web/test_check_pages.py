"""The public check pages (a certificate's, a replacement code's), kept out of search engines; the
request page's replacement code; the donor home's milestone and certificates; booking with a code."""

import httpx
from test_homes import MILESTONES, donor_api
from test_staff_pages import REQUEST, log_in_as, request_api
from webfakes import USER

NOT_FOUND = {
    "status": 404,
    "code": "not_found",
    "detail": "No certificate has this number: it was not issued by dblood.",
}


def test_a_certificate_check_confirms_what_the_api_says_and_is_not_indexed(client, fake_api):
    fake_api.on(
        "GET", "public/certificates/tok-123", body={"milestone": 25, "issued_on": "2026-12-08", "holder": "Siti R."}
    )
    response = client.get("/certificates/tok-123/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is genuine." in html
    assert "dblood issued a certificate for 25 blood donations on Tue 8 Dec 2026 to Siti R." in html
    assert '<meta name="robots" content="noindex, nofollow">' in html and response["X-Robots-Tag"].startswith("noindex")
    html = client.get("/certificates/tok-123/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Piagam ini asli." in html and "25 kali donor darah" in html


def test_an_unknown_certificate_says_so(client, fake_api):
    fake_api.on("GET", "public/certificates/nope", status=404, body=NOT_FOUND)
    response = client.get("/certificates/nope/")
    assert response.status_code == 404
    assert "it was not issued by dblood" in response.content.decode()


STATUS = {"code": "ABCD-EFGH", "expires_at": "2026-12-22", "state": "active", "received": 2, "booked": 1}


def test_the_family_types_the_code_and_sees_counts_only(client, fake_api):
    fake_api.on("GET", "public/replacement-codes/ABCDEFGH", body=STATUS)
    assert client.get("/replacement/", {"code": " abcd-efgh "})["Location"] == "/replacement/ABCDEFGH/"
    response = client.get("/replacement/ABCDEFGH/")
    html = response.content.decode()
    assert response.status_code == 200 and response["X-Robots-Tag"].startswith("noindex")
    assert "2 donations received." in html and "1 donor booked to come." in html
    assert "Donors can give with this code until Tue 22 Dec 2026." in html
    assert 'href="/drives/?replacement=ABCD-EFGH"' in html
    html = client.get("/replacement/ABCDEFGH/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "2 donasi telah diterima." in html


def test_an_unknown_code_says_so_in_the_readers_language(client, fake_api):
    body = {"status": 404, "code": "not_found", "detail": "Kode donor pengganti ZZZZ-ZZZZ tidak dikenal."}
    fake_api.on("GET", "public/replacement-codes/ZZZZZZZZ", status=404, body=body)
    response = client.get("/replacement/ZZZZZZZZ/", HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 404 and "tidak dikenal" in response.content.decode()


def test_a_donor_books_as_a_replacement_donor_from_the_codes_link(client, fake_api):
    fake_api.on("GET", "drives", body={"count": 0, "results": []})
    fake_api.on("POST", "appointments", status=201, body={"id": 9})
    log_in_as(client, fake_api, USER)
    html = client.get("/drives/", {"replacement": "ABCD-EFGH"}).content.decode()
    assert "You are booking as a replacement donor with code ABCD-EFGH" in html
    assert 'name="replacement" value="ABCD-EFGH"' in html  # a new search keeps it
    client.post("/me/appointments/book/", {"slot": 4, "donation_type": "whole_blood", "replacement_code": "ABCD-EFGH"})
    assert fake_api.last_json("POST", "appointments") == {
        "slot": 4,
        "donation_type": "whole_blood",
        "replacement_code": "ABCD-EFGH",
    }


def test_the_request_page_shows_the_code_and_its_counts(client, fake_api):
    from test_staff_pages import HOSPITAL

    replacement = {**STATUS, "expires_at": "2026-12-22T03:00:00Z"}
    request_api(fake_api, blood_request={**REQUEST, "replacement": replacement})
    log_in_as(client, fake_api, HOSPITAL)
    html = client.get("/requests/3/").content.decode()
    assert "ABCD-EFGH" in html and "2 replacement donations received" in html and "1 booked" in html
    assert 'href="/replacement/ABCD-EFGH/"' in html and "Renew the code" in html
    fake_api.on("POST", "requests/3/replacement-code", status=201, body=replacement)
    response = client.post("/requests/3/replacement-code/")
    assert response.status_code == 302 and response["Location"] == "/requests/3/"


def test_the_donor_home_links_each_certificate(client, fake_api):
    certificate = {"milestone": 10, "issued_on": "2026-12-08", "pdf": "x", "check_url": "y"}
    donor_api(fake_api, {**MILESTONES, "count": 12, "next_milestone": 25, "to_go": 13, "certificates": [certificate]})
    fake_api.on("GET", "appointments", body={"count": 0, "results": []})
    fake_api.on("GET", "call-outs", body={"count": 0, "results": []})
    log_in_as(client, fake_api, USER)
    html = client.get("/home/").content.decode()
    assert "You have given blood 12 times." in html and "13 more donations to PMI's award for 25 donations." in html
    assert 'href="/me/certificates/10.pdf"' in html and "My certificate for 10 donations" in html
    fake_api.on(
        "GET",
        "donations/mine/certificates/10/certificate.pdf",
        handler=lambda request, match: httpx.Response(
            200, content=b"%PDF-1.4 test", headers={"content-type": "application/pdf"}
        ),
    )
    response = client.get("/me/certificates/10.pdf")
    assert response.status_code == 200 and response.content == b"%PDF-1.4 test"


def test_the_desk_sends_the_replacement_code_and_shows_why_it_was_refused(client, fake_api):
    from test_staff_pages import APPOINTMENTS, STAFF
    from webfakes import staff_home_reads

    staff_home_reads(fake_api)
    log_in_as(client, fake_api, STAFF)
    fake_api.on("GET", r"appointments/2", body={**APPOINTMENTS[1], "donation_type": "whole_blood"})
    refusal = "Replacement-donation code ABCD-EFGH expired on 2026-12-01."
    fake_api.on(
        "POST",
        "donations",
        status=400,
        body={"status": 400, "code": "invalid", "detail": "Invalid input.", "fields": {"replacement_code": [refusal]}},
    )
    form = {"volume_ml": "450", "hemoglobin_g_dl": "13.9", "outcome": "completed", "replacement_code": "abcd-efgh"}
    html = client.post("/staff/appointments/2/donation/", form).content.decode()
    assert f'<p class="error" id="id_replacement_code_error">{refusal}</p>' in html
    assert fake_api.last_json("POST", "donations")["replacement_code"] == "abcd-efgh"
