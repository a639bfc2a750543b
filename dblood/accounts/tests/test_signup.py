"""Sign-up does not tell whether an address has an account: the same answer for a
new address and a taken one, an e-mail either way (a link for the new one, a note to the owner of
the taken one), in the recipient's language; the account opens from the link, once."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from dblood.accounts import signup
from dblood.accounts.models import User
from dblood.audit.models import AuditEvent
from dblood.donors.models import Donor
from testing.mail import outbox_to, signup_token_in
from testing.personas import PASSWORD, make_user
from testing.races import race

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-Passw0rd-26"


def register(client, email="ayu@example.org", password=NEW_PASSWORD, headers=None, **extra):
    data = {"email": email, "password": password, "full_name": "Ayu Lestari", "language": "en", **extra}
    return client.post("/api/v1/auth/register", data, format="json", **(headers or {}))


def confirm(client, token):
    return client.post("/api/v1/auth/register/confirm", {"token": token}, format="json")


def login(client, email, password):
    return client.post("/api/v1/auth/login", {"email": email, "password": password}, format="json")


def test_a_new_and_a_taken_address_get_the_same_answer_and_each_an_email(api, donor):
    new = register(api(), "new@example.org")
    taken = register(api(), donor.email.upper())
    assert new.status_code == taken.status_code == 202
    assert new.content == taken.content
    assert new.json() == {"detail": "Check your email to finish signing up."}

    assert len(mail.outbox) == 2
    to_new, to_owner = outbox_to("new@example.org"), outbox_to(donor.email)
    assert to_new.subject == "dblood: confirm your sign-up"
    assert "http://testserver-web/signup/confirm/" in to_new.body
    # The owner reads theirs in their own language (Indonesian), whatever the stranger typed.
    assert to_owner.subject == "dblood: seseorang mencoba mendaftar dengan email Anda"
    assert "http://testserver-web/password-reset/" in to_owner.body
    assert "/signup/confirm/" not in to_owner.body

    donor_before = User.objects.get(pk=donor.pk)
    assert donor_before.check_password(PASSWORD) and donor_before.full_name == donor.full_name
    assert donor_before.language == "id" and donor_before.is_active
    assert User.objects.count() == 2


@pytest.fixture(autouse=True)
def _web_address(settings):
    settings.WEB_BASE_URL = "http://testserver-web"


def test_a_field_error_is_the_same_for_a_new_and_a_taken_address(api, donor):
    new = register(api(), "new@example.org", password="password")
    taken = register(api(), donor.email, password="password")
    assert new.status_code == taken.status_code == 400
    assert new.content == taken.content
    assert "password" in new.json()["fields"]
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("language", "subject", "detail"),
    [
        ("id", "dblood: konfirmasi pendaftaran Anda", "Periksa email Anda untuk menyelesaikan pendaftaran."),
        ("en", "dblood: confirm your sign-up", "Check your email to finish signing up."),
    ],
)
def test_the_confirmation_email_is_in_the_chosen_language(api, language, subject, detail):
    response = register(api(), language=language, headers={"HTTP_ACCEPT_LANGUAGE": language})
    assert response.json()["detail"] == detail
    assert outbox_to("ayu@example.org").subject == subject


def test_the_owner_of_a_taken_address_is_told_in_english_when_their_account_speaks_it(api):
    owner = make_user("owner@example.org", language="en")
    register(api(), owner.email, language="id")
    message = outbox_to(owner.email)
    assert message.subject == "dblood: someone tried to sign up with your email"
    assert "nothing was changed" in message.body


def test_the_link_opens_the_account_once_and_signs_its_owner_in(api):
    register(api())
    user = User.objects.get(email="ayu@example.org")
    assert (user.is_active, user.signup_pending) == (False, True)
    assert not Donor.objects.filter(user=user).exists()
    token = signup_token_in(outbox_to(user.email).body)

    opened = confirm(api(), token)
    assert opened.status_code == 201, opened.json()
    assert opened.json()["user"]["email"] == "ayu@example.org"
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {opened.json()['token']}")
    assert client.get("/api/v1/donors/me").status_code == 200
    user.refresh_from_db()
    assert (user.is_active, user.signup_pending) == (True, False)
    assert login(api(), user.email, NEW_PASSWORD).status_code == 200

    again = confirm(api(), token)
    assert again.status_code == 400
    assert list(again.json()["fields"]) == ["token"]


@pytest.mark.parametrize("token", ["", "made-up", "W10:1abc:xyz"])
def test_a_bad_token_is_a_400_naming_it(api, token):
    response = confirm(api(), token)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["token"]


def test_a_link_expires(api, settings):
    register(api())
    token = signup_token_in(outbox_to("ayu@example.org").body)
    with time_machine.travel(timedelta(seconds=settings.SIGNUP_CONFIRM_TIMEOUT + 60)):
        response = confirm(api(), token)
    assert response.status_code == 400
    assert "token" in response.json()["fields"]
    assert not User.objects.get(email="ayu@example.org").is_active


def test_a_pending_account_cannot_log_in_and_its_refusal_tells_nothing(api):
    register(api())
    pending = login(api(), "ayu@example.org", NEW_PASSWORD)
    unknown = login(api(), "ghost@example.org", NEW_PASSWORD)
    assert pending.status_code == unknown.status_code == 400
    assert pending.content == unknown.content


def test_signing_up_again_while_pending_sends_a_fresh_link_and_kills_the_old(api):
    first = register(api(), password="the-first-Passw0rd")
    first_token = signup_token_in(outbox_to("ayu@example.org").body)
    second = register(api(), password="the-second-Passw0rd", full_name="Ayu L")
    second_token = signup_token_in(outbox_to("ayu@example.org").body)
    assert first.content == second.content and second.status_code == 202
    assert len(mail.outbox) == 2 and first_token != second_token
    assert User.objects.filter(email="ayu@example.org").count() == 1

    assert confirm(api(), first_token).status_code == 400  # whoever opens a link gets its own password
    assert confirm(api(), second_token).status_code == 201
    user = User.objects.get(email="ayu@example.org")
    assert user.check_password("the-second-Passw0rd") and user.full_name == "Ayu L"


def test_an_account_an_admin_switched_off_is_not_opened_by_signing_up(api, donor):
    donor.is_active = False
    donor.save()
    register(api(), donor.email)
    assert "/signup/confirm/" not in outbox_to(donor.email).body
    donor.refresh_from_db()
    assert not donor.is_active and not donor.signup_pending


def test_sign_up_and_confirmation_are_in_the_audit_log(api):
    register(api())
    user = User.objects.get(email="ayu@example.org")
    confirm(api(), signup_token_in(outbox_to(user.email).body))
    created, opened = AuditEvent.objects.filter(model="accounts.User", object_id=str(user.pk)).order_by("id")[:2]
    assert created.action == "create" and created.after["signup_pending"] is True
    assert created.after["is_active"] is False
    assert opened.action == "update" and opened.after == {"is_active": True, "signup_pending": False}


@pytest.mark.django_db(transaction=True)
def test_two_sign_ups_of_one_new_address_at_once_make_one_account(settings):
    settings.WEB_BASE_URL = "http://testserver-web"

    def sign_up(password):
        return lambda: signup.user_register(email="race@example.org", password=password, full_name="Race")

    outcomes = race([sign_up("race-Passw0rd-one"), sign_up("race-Passw0rd-two")])
    assert outcomes == ["done", "done"]
    assert User.objects.filter(email="race@example.org").count() == 1
    assert [m.subject for m in mail.outbox] == ["dblood: konfirmasi pendaftaran Anda"] * 2


@pytest.mark.parametrize(
    ("language", "subject"), [("id", "dblood: atur ulang kata sandi Anda"), ("en", "dblood: reset your password")]
)
def test_the_password_reset_email_is_in_the_owners_language(api, language, subject):
    owner = make_user("owner@example.org", language=language)
    api().post("/api/v1/auth/password/reset", {"email": owner.email})
    assert outbox_to(owner.email).subject == subject
