"""Sign-in refusals and role barriers read in the language the client asks for (Accept-Language)."""

import pytest

ID = {"HTTP_ACCEPT_LANGUAGE": "id"}


@pytest.mark.parametrize(
    ("headers", "detail"),
    [
        (ID, "Tidak dapat masuk dengan email dan kata sandi ini."),
        ({}, "Unable to log in with this email and password."),
    ],
)
def test_a_wrong_password_is_refused_in_the_readers_language(api, donor, headers, detail):
    response = api().post("/api/v1/auth/login", {"email": donor.email, "password": "nope-nope-1"}, **headers)
    assert response.status_code == 400
    assert response.json()["fields"]["non_field_errors"] == [detail]


@pytest.mark.parametrize(
    ("headers", "detail"),
    [(ID, "Hanya petugas rumah sakit yang boleh meminta darah."), ({}, "Only hospital staff may request blood.")],
)
def test_a_role_barrier_is_explained_in_the_readers_language(api, donor, headers, detail):
    response = api(donor).post("/api/v1/requests", {}, format="json", **headers)
    assert response.status_code == 403
    assert response.json()["detail"] == detail
