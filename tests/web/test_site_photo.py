"""A blood bank's photo: shown on its public page, uploaded and removed by its own staff."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from test_staff_pages import HOSPITAL, STAFF, log_in_as
from webfakes import USER

SITE = {"id": 1, "name": "UDD Jakarta", "city": "Jakarta", "province": "DKI Jakarta", "photo_url": None}
WITH_PHOTO = {**SITE, "photo_url": "/media/sites/1/0123abcd.jpg", "photo_width": 1600, "photo_height": 1200}
JPEG = b"\xff\xd8\xff\xe0 pretend jpeg bytes"


@pytest.fixture
def site_api(fake_api):
    fake_api.on("GET", "stock", body={"generated_at": "2026-11-29T02:00:00Z", "results": []})
    fake_api.on("GET", "drives", body=[])
    fake_api.on("GET", r"sites/1", body=SITE)
    return fake_api


def test_the_public_page_shows_the_photo_lazy_with_alt_text_and_size(client, site_api):
    site_api.on("GET", r"sites/1", body=WITH_PHOTO)
    html = client.get("/blood-banks/1/").content.decode()
    img = re.search(r'<img class="site-photo"[^>]*>', html).group(0)
    assert 'src="/media/sites/1/0123abcd.jpg"' in img and 'alt="The building of UDD Jakarta"' in img
    assert 'width="1600"' in img and 'height="1200"' in img and 'loading="lazy"' in img
    assert "enctype" not in html  # visitors get no form


def test_no_photo_no_img(client, site_api):
    assert "site-photo" not in client.get("/blood-banks/1/").content.decode()


def test_the_csp_lets_the_page_show_photos_from_this_origin(client, site_api):
    csp = client.get("/blood-banks/1/")["Content-Security-Policy"]
    assert "img-src 'self'" in csp


def test_staff_of_the_bank_get_the_form_others_do_not(client, site_api):
    log_in_as(client, site_api, {**STAFF, "memberships": [{"site_id": 2, "site_name": "B", "site_kind": "blood_bank"}]})
    assert 'enctype="multipart/form-data"' not in client.get("/blood-banks/1/").content.decode()
    log_in_as(client, site_api, STAFF)
    html = client.get("/blood-banks/1/").content.decode()
    assert 'enctype="multipart/form-data"' in html and 'accept="image/jpeg,image/png,image/webp"' in html
    assert "Upload the photo" in html and "Remove the photo" not in html


def test_upload_sends_multipart_to_the_api_and_comes_back_to_the_page(client, site_api):
    log_in_as(client, site_api, STAFF)
    site_api.on("PUT", r"sites/1/photo", body=WITH_PHOTO)
    photo = SimpleUploadedFile("../../etc/entrance.jpg", JPEG, content_type="image/jpeg")
    response = client.post("/blood-banks/1/photo/", {"photo": photo})
    assert response.status_code == 302 and response["Location"] == "/blood-banks/1/"
    sent = site_api.last("PUT", "sites/1/photo")
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert JPEG in sent.content and b'name="photo"; filename="photo"' in sent.content
    assert b"etc" not in sent.content  # the visitor's filename is not passed on
    assert sent.headers["authorization"] == "Bearer tok"
    assert "The photo is saved." in client.get("/blood-banks/1/").content.decode()


@pytest.mark.parametrize(
    ("status", "message"),
    [(400, "Upload a JPEG, PNG or WebP photo."), (413, "The photo is larger than 5242880 bytes.")],
)
def test_the_apis_field_error_is_shown_beside_the_field(client, site_api, status, message):
    log_in_as(client, site_api, STAFF)
    error = {"status": status, "code": "invalid", "detail": "Invalid input.", "fields": {"photo": [message]}}
    site_api.on("PUT", r"sites/1/photo", status=status, body=error)
    photo = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    response = client.post("/blood-banks/1/photo/", {"photo": photo})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'<p class="error" id="id_photo_error">' + re.escape(message) + "</p>", html)
    assert "UDD Jakarta" in html  # the same page, not an error page


def test_no_file_is_refused_by_the_form_without_calling_the_api(client, site_api):
    log_in_as(client, site_api, STAFF)
    response = client.post("/blood-banks/1/photo/", {})
    assert response.status_code == 400 and 'id="id_photo_error"' in response.content.decode()
    assert not [r for r in site_api.requests if r.method == "PUT"]


def test_remove_asks_the_api_to_delete(client, site_api):
    log_in_as(client, site_api, STAFF)
    site_api.on("GET", r"sites/1", body=WITH_PHOTO)
    assert "Replace the photo" in client.get("/blood-banks/1/").content.decode()
    site_api.on("DELETE", r"sites/1/photo", status=204)
    response = client.post("/blood-banks/1/photo/", {"remove": "1"})
    assert response.status_code == 302
    assert site_api.last("DELETE", "sites/1/photo")


def test_hospital_staff_manage_their_hospitals_photo(client, site_api):
    log_in_as(client, site_api, HOSPITAL)
    site_api.on("GET", "requests", body={"count": 0, "results": []})
    site_api.on("GET", "sites", body={"count": 0, "results": []})
    assert 'href="/blood-banks/7/"' in client.get("/hospital/requests/").content.decode()
    site_api.on("GET", r"sites/7", body={**SITE, "id": 7, "name": "RSCM"})
    assert 'action="/blood-banks/7/photo/"' in client.get("/blood-banks/7/").content.decode()


def test_the_api_refusing_shows_the_403_page(client, site_api):
    log_in_as(client, site_api, STAFF)
    site_api.on("PUT", r"sites/1/photo", status=403, body={"status": 403, "code": "permission_denied", "detail": "No."})
    photo = SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg")
    assert client.post("/blood-banks/1/photo/", {"photo": photo}).status_code == 403


def test_donors_and_visitors_cannot_post(client, site_api):
    assert client.post("/blood-banks/1/photo/", {}).status_code == 302  # to the login page
    log_in_as(client, site_api, USER)
    assert client.post("/blood-banks/1/photo/", {}).status_code == 403
    assert not [r for r in site_api.requests if r.method in ("PUT", "DELETE")]


def test_indonesian_labels(client, site_api):
    log_in_as(client, site_api, {**STAFF, "language": "id"})
    html = client.get("/blood-banks/1/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Foto gedung atau pintu masuk" in html and "Unggah foto" in html
