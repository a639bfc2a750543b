"""Hostile input: oversized, deeply nested or undecodable bodies, injection strings, leaked tokens.

Every answer is a 4xx in the api's error shape; nothing is a 500 and nothing is half-written.
"""

import json
import re

import pytest
from django.apps import apps
from django.db import models

from dblood.accounts.models import User
from testing.mail import outbox_to, signup_token_in
from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

ERROR_KEYS = {"status", "code", "detail"}


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:300])
    body = response.json()
    assert ERROR_KEYS <= set(body), body
    assert body["status"] == status
    return body


# --- oversized bodies ----------------------------------------------------------------------------


def test_oversized_json_body_is_413_before_it_is_read(client, settings):
    body = json.dumps({"email": "a@example.org", "password": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = client.post("/api/v1/auth/login", body, content_type="application/json")
    body = assert_error(response, 413)
    assert body["code"] == "request_too_large"


def test_oversized_body_outside_drf_is_413_too(client, settings):
    response = client.post(
        "/admin/login/",
        "username=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 413)


def test_multipart_uploads_have_their_own_larger_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.UPLOAD_MAX_BYTES = 50_000
    small_upload = {"email": "a@example.org", "password": "p", "file": _file(5_000)}
    assert client.post("/api/v1/auth/login", small_upload).status_code == 400  # read, then rejected by name
    big_upload = {"email": "a@example.org", "password": "p", "file": _file(60_000)}
    assert_error(client.post("/api/v1/auth/login", big_upload), 413)


def _file(size: int):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("x.bin", b"\0" * size, content_type="application/octet-stream")


def test_request_data_too_big_raised_inside_a_view_is_413(api, donor, monkeypatch):
    from django.core.exceptions import RequestDataTooBig

    from dblood.accounts import views

    def too_big(*args, **kwargs):
        raise RequestDataTooBig("too big")

    monkeypatch.setattr(views.MeView, "get_object", too_big)
    assert_error(api(donor).get("/api/v1/me"), 413)


# --- malformed JSON ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "[" * 200_000 + "]" * 200_000,  # deeper than Python's recursion limit
        '{"a":' * 100_000 + "1" + "}" * 100_000,
        '{"email": "a@example.org", "password": ' + "9" * 50_000 + "}",  # beyond int digit limit
        '{"email": NaN, "password": Infinity}',
        '{"email": "a@example.org", "password": "p"',  # truncated
        "",
    ],
    ids=["nested-lists", "nested-objects", "huge-int", "nan", "truncated", "empty"],
)
def test_malformed_json_is_a_400(client, raw):
    response = client.post("/api/v1/auth/login", raw, content_type="application/json")
    assert_error(response, 400)


def test_huge_but_well_formed_json_is_rejected_by_field(client):
    many_keys = json.dumps({f"k{i}": i for i in range(50_000)})
    response = client.post("/api/v1/auth/register", many_keys, content_type="application/json")
    body = assert_error(response, 400)
    assert 0 < len(body["fields"]) <= 20  # a few names, not an echo of the whole body
    assert len(response.content) < 5_000
    long_key = json.dumps({"k" * 500_000: 1})
    response = client.post("/api/v1/auth/register", long_key, content_type="application/json")
    assert_error(response, 400)
    assert len(response.content) < 5_000
    long_name = {"email": "long@example.org", "password": PASSWORD, "full_name": "n" * 500_000}
    body = assert_error(client.post("/api/v1/auth/register", long_name, content_type="application/json"), 400)
    assert list(body["fields"]) == ["full_name"]
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "raw",
    [b'{"email": "\xff\xfe@example.org", "password": "x"}', b"\xc3\x28", b'{"email": "\xed\xa0\x80"}'],
)
def test_invalid_utf8_body_is_a_400(client, raw):
    assert_error(client.post("/api/v1/auth/login", raw, content_type="application/json"), 400)


def test_invalid_utf8_in_form_body_query_and_path_is_not_a_500(api, donor):
    client = api(donor)
    assert client.get("/api/v1/me?q=%ff%fe").status_code == 200
    assert_error(client.get("/api/v1/%ff%fe"), 404)
    response = client.post(
        "/api/v1/auth/login", b"email=%ff%fe&password=\xff", content_type="application/x-www-form-urlencoded"
    )
    assert_error(response, 400)


def test_wrong_content_type_is_415(client):
    assert_error(client.post("/api/v1/auth/login", "<x/>", content_type="application/xml"), 415)


# --- injection strings ---------------------------------------------------------------------------

INJECTIONS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "Robert'); DROP TABLE accounts_user;--",
    "' OR '1'='1",
    "{{7*7}} ${7*7} <%= 7*7 %>",
    "../../../../etc/passwd",
    "%00%0d%0aSet-Cookie: x=y",
    "ＡＢＣ 🩸 ‮drawkcab‬ ज़",
    "\\u0000 not a real NUL",
]


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_stored_and_returned_exactly_as_given(api, donor, text):
    client = api(donor)
    response = client.patch("/api/v1/me", {"full_name": text}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["full_name"] == text
    assert response["Content-Type"] == "application/json"
    donor.refresh_from_db()
    assert donor.full_name == text
    assert client.get("/api/v1/me").json()["full_name"] == text
    assert User.objects.count() == 1


def test_a_nul_byte_is_a_400_not_a_database_error(api, donor):
    body = assert_error(api(donor).patch("/api/v1/me", {"full_name": "a\x00b"}, format="json"), 400)
    assert "full_name" in body["fields"]


def test_sql_in_login_fields_is_just_a_failed_login(api, donor):
    for email in ["' OR 1=1 --", f"{donor.email}' --", "x@example.org' OR '1'='1"]:
        response = api().post("/api/v1/auth/login", {"email": email, "password": "' OR '1'='1"}, format="json")
        assert_error(response, 400)


# --- tokens at rest ------------------------------------------------------------------------------


def _text_columns():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)):
                yield model, field.attname


def test_no_table_holds_a_live_token_or_password_in_the_clear(api):
    api().post(
        "/api/v1/auth/register",
        {"email": "clear@example.org", "password": PASSWORD, "full_name": "Clear"},
        format="json",
    )
    link_token = signup_token_in(outbox_to("clear@example.org").body)
    response = api().post("/api/v1/auth/register/confirm", {"token": link_token}, format="json")
    token = response.json()["token"]
    login = api().post("/api/v1/auth/login", {"email": "clear@example.org", "password": PASSWORD}, format="json")
    second = login.json()["token"]
    columns = list(_text_columns())
    assert columns
    for secret in [token, second, PASSWORD, link_token]:
        for model, column in columns:
            hits = model._default_manager.filter(**{f"{column}__contains": secret}).count()
            assert hits == 0, f"{model._meta.label}.{column} holds a secret in the clear"


# --- security headers ----------------------------------------------------------------------------


def test_api_answers_carry_security_headers(api, donor):
    for response in [api(donor).get("/api/v1/me"), api().get("/api/v1/me"), api().get("/healthz")]:
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"
        assert "default-src 'none'" in response["Content-Security-Policy"]
    assert api(donor).get("/api/v1/me")["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/admin/login/"])
def test_the_html_pages_have_their_own_csp_and_nothing_inline_or_remote(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "default-src 'none'" not in csp
    html = response.content.decode()
    assert "fonts.googleapis" not in html and "https://" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []  # every script is a file
