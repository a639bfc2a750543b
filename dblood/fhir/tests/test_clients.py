"""One OAuth2 client per hospital, made by `manage.py fhir_client`; its secret is shown once."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from oauth2_provider.models import Application

from dblood.fhir.tests.conftest import FhirClient, token_for


@pytest.mark.django_db
def test_the_command_makes_a_client_bound_to_the_hospital(hospital, bank_a):
    out = StringIO()
    call_command("fhir_client", hospital.code, "--name", "SIMRS H", stdout=out)
    values = dict(line.split("=", 1) for line in out.getvalue().split())
    application = Application.objects.get(client_id=values["client_id"])
    assert application.client_secret != values["client_secret"]  # only a hash is kept
    assert application.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS
    account = application.user
    assert account.is_hospital_staff and set(account.site_ids) == {hospital.pk}
    assert not account.has_usable_password()  # the account signs in nowhere; only the client acts as it
    client = FhirClient(token_for(application, values["client_secret"]))
    assert client.get("/fhir/r4/ServiceRequest/1").status_code == 404  # authenticated, nothing there


@pytest.mark.django_db
def test_a_client_is_only_for_a_hospital(bank_a):
    with pytest.raises(CommandError):
        call_command("fhir_client", bank_a.code, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("fhir_client", "no-such-site", stdout=StringIO())


@pytest.mark.django_db
def test_a_wrong_secret_gets_no_token(hospital_system):
    from django.test import Client

    application, _secret = hospital_system
    response = Client().post(
        "/fhir/r4/auth/token",
        {"grant_type": "client_credentials", "client_id": application.client_id, "client_secret": "wrong"},
    )
    assert response.status_code == 401
