"""The api's own error details (the shared shape, the size limit, Django-level handlers) follow
Accept-Language like every app's messages."""

import json

import pytest


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("id", "Isi permintaan lebih besar dari %(limit)d byte."),
        ("en", "The request body is larger than %(limit)d bytes."),
    ],
)
def test_the_size_limit_answers_in_the_readers_language(client, settings, language, detail):
    """The limit is checked before LocaleMiddleware runs: the middleware picks the language itself."""
    body = json.dumps({"email": "a@example.org", "password": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = client.post("/api/v1/auth/login", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 413
    assert response.json()["detail"] == detail % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "detail"), [("id", "Isian tidak valid."), ("en", "Invalid input.")])
def test_a_validation_error_is_summed_up_in_the_readers_language(client, language, detail):
    response = client.post("/api/v1/auth/login", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    assert response.json()["detail"] == detail


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "detail"), [("id", "Data tidak ditemukan."), ("en", "Not found.")])
def test_an_unknown_address_is_a_404_in_the_readers_language(client, language, detail):
    response = client.get("/api/v1/no-such-thing", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json()["detail"] == detail
