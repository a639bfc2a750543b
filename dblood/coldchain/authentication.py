"""A storage location's temperature device posts readings with its own token (services.device_token_issue).

    Authorization: Device <token>

Only the token's SHA-256 is stored. A missing header, another scheme or an unknown token is a 401;
a token for another location than the reading names is a 403 (views.DeviceReadingView)."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .services import location_for_token

KEYWORD = "Device"


class DeviceTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() != KEYWORD.lower():
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send one device token after Device."))
        location = location_for_token(parts[1].decode(errors="replace"))
        if location is None or not location.is_active:
            raise AuthenticationFailed(_("This device token is not valid."))
        return AnonymousUser(), location

    def authenticate_header(self, request) -> str:
        return KEYWORD


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = DeviceTokenAuthentication
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Device <storage location token>",
        }
