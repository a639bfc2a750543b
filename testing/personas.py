"""The people every permission test needs, built once per test (healthchecks' alice/bob/charlie).

donor, other_donor: two donors; staff_a, staff_b: staff of blood banks A and B;
hospital_user: staff of a hospital verified by A; admin_user; and `api(user)` for a client.
"""

import pytest
from rest_framework.test import APIClient

from dblood.accounts.models import Membership, User
from dblood.accounts.services import token_create
from dblood.sites.models import Site

PASSWORD = "correct-horse-battery-9"


def make_user(email: str, role: str = User.Role.DONOR, **extra) -> User:
    return User.objects.create_user(
        email=email, password=PASSWORD, full_name=email.split("@")[0].title(), role=role, **extra
    )


def make_site(code: str, kind: str = Site.Kind.BLOOD_BANK, **extra) -> Site:
    defaults = dict(
        name=code.upper(), kind=kind, city="Jakarta Pusat", province="DKI Jakarta", latitude=-6.2, longitude=106.83
    )
    defaults.update(extra)
    return Site.objects.create(code=code, **defaults)


@pytest.fixture
def bank_a(db):
    return make_site("bank-a", name="UDD A")


@pytest.fixture
def bank_b(db):
    return make_site("bank-b", name="UDD B", city="Bandung", province="Jawa Barat", latitude=-6.91, longitude=107.61)


@pytest.fixture
def hospital(db, bank_a):
    return make_site("hosp-h", kind=Site.Kind.HOSPITAL, name="RS H", verified_by=bank_a)


@pytest.fixture
def donor(db):
    return make_user("donor@example.org")


@pytest.fixture
def other_donor(db):
    return make_user("other@example.org")


@pytest.fixture
def staff_a(db, bank_a):
    user = make_user("staff.a@example.org", User.Role.BLOOD_BANK_STAFF)
    Membership.objects.create(user=user, site=bank_a)
    return user


@pytest.fixture
def staff_b(db, bank_b):
    user = make_user("staff.b@example.org", User.Role.BLOOD_BANK_STAFF)
    Membership.objects.create(user=user, site=bank_b)
    return user


@pytest.fixture
def hospital_user(db, hospital):
    user = make_user("nurse@example.org", User.Role.HOSPITAL_STAFF)
    Membership.objects.create(user=user, site=hospital)
    return user


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(email="admin@example.org", password=PASSWORD, full_name="Admin")


@pytest.fixture
def api():
    """`api(user)` gives a client authenticated with a real bearer token; `api()` an anonymous one."""

    def build(user: User | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            key, _ = token_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return build
