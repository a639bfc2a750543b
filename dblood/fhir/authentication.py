"""Who is calling the FHIR endpoint: a hospital system with an OAuth2 client-credentials token, or a
person with an api token (as on the REST api).

A client belongs to one hospital: its django-oauth-toolkit Application is owned by a service account
that is hospital staff of that hospital alone (`manage.py fhir_client`). Requests are made and read
as that account, so the REST api's rules decide what the client may see and do.
"""

from hashlib import sha256

from django.utils import timezone
from django.utils.translation import gettext as _
from oauth2_provider.models import AccessToken
from rest_framework import authentication, exceptions

from dblood.accounts.authentication import BearerTokenAuthentication


class HospitalClientAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>`: an OAuth2 access token first, else an api token."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() != b"bearer":
            return BearerTokenAuthentication().authenticate(request)
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Malformed token.")) from exc
        token = (
            AccessToken.objects.select_related("application__user")
            .filter(token_checksum=sha256(key.encode()).hexdigest())
            .first()
        )
        if token is None:
            return BearerTokenAuthentication().authenticate(request)
        if token.expires <= timezone.now():
            raise exceptions.AuthenticationFailed(_("Token expired; ask for a new one."))
        user = token.application.user if token.application else None
        if user is None or not user.is_active or not user.is_hospital_staff or len(user.site_ids) != 1:
            raise exceptions.AuthenticationFailed(_("This client is not bound to one hospital."))
        return user, token

    def authenticate_header(self, request):
        return 'Bearer realm="fhir"'


def token_scopes(auth) -> set[str] | None:
    """The OAuth2 token's scopes; None for an api token (a person: the REST api's rules alone)."""
    if isinstance(auth, AccessToken):
        return set(auth.scope.split())
    return None
