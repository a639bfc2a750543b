"""A stranger guessing a donor's password fills the account's throttle bucket without locking the
owner out: attempts from an address the account has signed in from before are not counted there."""

import pytest
from rest_framework.test import APIClient

from dblood.accounts.models import KnownAddress
from testing.personas import PASSWORD

pytestmark = pytest.mark.django_db

OWNER, STRANGER, NEW_PLACE = "198.51.100.7", "203.0.113.9", "192.0.2.44"


def _login(address: str, email: str, password: str):
    return APIClient().post(
        "/api/v1/auth/login", {"email": email, "password": password}, format="json", REMOTE_ADDR=address
    )


def test_the_owner_signs_in_while_a_stranger_is_throttled(donor):
    # The owner's usual place (this first sign-in counted: the address was not known yet).
    assert _login(OWNER, donor.email, PASSWORD).status_code == 200
    guesses = [_login(STRANGER, donor.email, f"guess-{i}").status_code for i in range(10)]
    assert guesses[:9] == [400] * 9 and guesses[9] == 429  # 10 a minute from unknown addresses
    # From an address the account never used, even the right password waits (the bucket is full).
    assert _login(NEW_PLACE, donor.email, PASSWORD).status_code == 429
    # The owner, from where they signed in before, is not locked out.
    assert _login(OWNER, donor.email, PASSWORD).status_code == 200


def test_known_addresses_are_kept_as_keyed_digests_only(donor):
    assert _login(OWNER, donor.email, PASSWORD).status_code == 200
    assert _login(OWNER, donor.email, PASSWORD).status_code == 200
    [known] = KnownAddress.objects.filter(user=donor)  # one row per address, refreshed
    assert OWNER not in known.digest and len(known.digest) == 64


def test_a_failed_attempt_does_not_make_an_address_known(donor):
    assert _login(STRANGER, donor.email, "wrong").status_code == 400
    assert not KnownAddress.objects.filter(user=donor).exists()
