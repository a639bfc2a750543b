"""Registration, login/logout with hashed expiring tokens, /me, passwords and throttling."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from dblood.accounts.models import ApiToken, User, hash_token
from testing.mail import outbox_to, signup_token_in
from testing.personas import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def register(client, **overrides):
    data = {"email": "Ayu@Example.org", "password": PASSWORD, "full_name": "Ayu Lestari", "language": "en"}
    data.update(overrides)
    return client.post("/api/v1/auth/register", data, format="json")


def register_and_confirm(client, **overrides):
    """Sign up and open the e-mailed link: the confirmation's answer."""
    assert register(client, **overrides).status_code == 202
    token = signup_token_in(outbox_to(overrides.get("email", "ayu@example.org")).body)
    return client.post("/api/v1/auth/register/confirm", {"token": token}, format="json")


def test_donor_signs_up_confirms_and_gets_a_working_token(api):
    response = register_and_confirm(api())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["user"]["email"] == "ayu@example.org"
    assert body["user"]["role"] == "donor"
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert client.get("/api/v1/me").json()["full_name"] == "Ayu Lestari"


def test_tokens_are_stored_hashed(api):
    token = register_and_confirm(api()).json()["token"]
    stored = ApiToken.objects.get()
    assert stored.key_hash == hash_token(token)
    assert token not in {stored.key_hash, stored.prefix}
    assert not ApiToken.objects.filter(key_hash=token).exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"password": "123"}, "password"),
        ({"password": "password"}, "password"),
        ({"full_name": ""}, "full_name"),
        ({"language": "fr"}, "language"),
        ({"role": "admin"}, "role"),
    ],
)
def test_bad_registration_names_the_field_and_writes_nothing(api, overrides, field):
    response = register(api(), **overrides)
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert not User.objects.exists()


def test_login_and_logout_revokes_the_token(api, donor):
    response = api().post("/api/v1/auth/login", {"email": "DONOR@example.org", "password": PASSWORD})
    assert response.status_code == 200
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert client.post("/api/v1/auth/logout").status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password_and_unknown_email_answer_alike(api, donor):
    wrong = api().post("/api/v1/auth/login", {"email": donor.email, "password": "nope-nope-1"})
    unknown = api().post("/api/v1/auth/login", {"email": "ghost@example.org", "password": "nope-nope-1"})
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()


def test_expired_and_unknown_tokens_are_401(api, donor):
    client = api(donor)
    assert client.get("/api/v1/me").status_code == 200
    with time_machine.travel(timedelta(days=15)):
        response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    stranger = api()
    stranger.credentials(HTTP_AUTHORIZATION="Bearer made-up")
    assert stranger.get("/api/v1/me").status_code == 401


def test_me_patch_changes_only_what_is_allowed(api, donor):
    client = api(donor)
    response = client.patch("/api/v1/me", {"full_name": "Dewi", "language": "en"})
    assert response.status_code == 200
    assert response.json()["full_name"] == "Dewi"
    response = client.patch("/api/v1/me", {"role": "admin"})
    assert response.status_code == 400
    assert "role" in response.json()["fields"]
    donor.refresh_from_db()
    assert donor.role == User.Role.DONOR


def test_me_lists_memberships(api, staff_a, bank_a):
    body = api(staff_a).get("/api/v1/me").json()
    assert body["role"] == "blood_bank_staff"
    assert body["memberships"] == [{"site_id": bank_a.id, "site_name": bank_a.name, "site_kind": "blood_bank"}]


def test_password_change_ends_other_sessions(api, donor):
    first, second = api(donor), api(donor)
    response = first.post("/api/v1/auth/password/change", {"old_password": "wrong", "new_password": "n3w-Passw0rd!"})
    assert response.status_code == 400
    assert "old_password" in response.json()["fields"]
    response = first.post("/api/v1/auth/password/change", {"old_password": PASSWORD, "new_password": "n3w-Passw0rd!"})
    assert response.status_code == 204
    assert first.get("/api/v1/me").status_code == 200
    assert second.get("/api/v1/me").status_code == 401


def _reset_link():
    (message,) = mail.outbox
    uid, token = re.search(r"/password-reset/([^/]+)/([^/]+)/", message.body).groups()
    return uid, token


def test_password_reset_link_works_once(api, donor):
    assert api().post("/api/v1/auth/password/reset", {"email": donor.email}).status_code == 202
    uid, token = _reset_link()
    confirm = {"uid": uid, "token": token, "new_password": "r3set-Passw0rd!"}
    assert api().post("/api/v1/auth/password/reset/confirm", confirm).status_code == 204
    again = api().post("/api/v1/auth/password/reset/confirm", {**confirm, "new_password": "an0ther-Pass!"})
    assert again.status_code == 400
    assert "token" in again.json()["fields"]
    donor.refresh_from_db()
    assert donor.check_password("r3set-Passw0rd!")


def test_password_reset_link_expires(api, donor, settings):
    api().post("/api/v1/auth/password/reset", {"email": donor.email})
    uid, token = _reset_link()
    with time_machine.travel(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)):
        response = api().post(
            "/api/v1/auth/password/reset/confirm", {"uid": uid, "token": token, "new_password": "r3set-Passw0rd!"}
        )
    assert response.status_code == 400


def test_password_reset_does_not_reveal_accounts(api):
    assert api().post("/api/v1/auth/password/reset", {"email": "ghost@example.org"}).status_code == 202
    assert mail.outbox == []


def test_repeated_failed_logins_are_throttled(api, donor):
    client = api()
    statuses = [
        client.post("/api/v1/auth/login", {"email": donor.email, "password": f"guess-{i}"}).status_code
        for i in range(12)
    ]
    assert statuses[:10] == [400] * 10
    response = client.post("/api/v1/auth/login", {"email": donor.email, "password": PASSWORD})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["status"] == 429


def test_admin_site_is_served(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
    assert make_user("someone@example.org").is_donor
