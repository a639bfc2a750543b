"""One OAuth2 client per hospital: a django-oauth-toolkit Application owned by a service account that
is hospital staff of that hospital alone, so the REST api's rules bound what the client sees."""

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import Application

from dblood.accounts.models import Membership, User
from dblood.sites.models import Site


@transaction.atomic
def hospital_client_create(*, hospital: Site, name: str = "") -> tuple[Application, str]:
    """A new client for `hospital`; returns it and its secret (shown once: only a hash is kept)."""
    if hospital.kind != Site.Kind.HOSPITAL:
        raise ValueError(f"{hospital.code} is not a hospital")
    number = Application.objects.filter(user__memberships__site=hospital).count() + 1
    account = User.objects.create_user(
        email=f"fhir-client-{number}.{hospital.code}@clients.dblood.invalid",
        password=None,
        full_name=name or f"{hospital.name} system {number}",
        role=User.Role.HOSPITAL_STAFF,
    )
    Membership.objects.create(user=account, site=hospital)
    secret = generate_client_secret()
    application = Application.objects.create(
        name=name or f"{hospital.name} system {number}",
        user=account,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_secret=secret,
    )
    return application, secret
