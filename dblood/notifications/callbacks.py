"""The providers' delivery reports: one public POST endpoint per provider, signed with HMAC-SHA256.

No session and no token (a provider has neither): the signature over the raw body is the only
credential, checked with `hmac.compare_digest` before anything is parsed or written.
"""

import hmac
import json

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dblood.core.schema import ErrorSerializer

from . import channels
from .deliveries import delivery_reports_apply


class BadSignature(exceptions.APIException):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_detail = _("The request's signature does not match its body.")
    default_code = "bad_signature"


class ChannelOff(exceptions.NotFound):
    default_detail = _("This channel is not configured here.")
    default_code = "channel_off"


class CallbacksOff(exceptions.PermissionDenied):
    default_detail = _("Delivery reports for this channel are not configured (no signing secret).")
    default_code = "callbacks_off"


class ReportsAppliedSerializer(serializers.Serializer):
    received = serializers.IntegerField(help_text="Status reports in the body.")
    updated = serializers.IntegerField(help_text="Deliveries whose state moved on.")


class _ProviderCallback(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    channel = ""

    def _provider(self) -> channels.Provider:
        provider = channels.provider_for(self.channel)
        if provider is None:
            raise ChannelOff()
        if not provider.secret:
            raise CallbacksOff()
        return provider

    def post(self, request):
        provider = self._provider()
        body = request.body  # the raw bytes, before any parsing: what the provider signed
        if not provider.signature_valid(body=body, signature=request.headers.get(provider.signature_header, "")):
            raise BadSignature()
        try:
            reports = provider.statuses(json.loads(body))
        except (ValueError, TypeError, AttributeError) as exc:
            raise exceptions.ValidationError({"body": [_("Not a delivery report of this provider.")]}) from exc
        updated = delivery_reports_apply(channel=self.channel, reports=reports)
        return Response({"received": len(reports), "updated": updated})


_SIGNED = {
    200: ReportsAppliedSerializer,
    401: OpenApiResponse(ErrorSerializer, description="Missing or wrong signature; nothing was written."),
    403: OpenApiResponse(ErrorSerializer, description="The channel has no signing secret configured."),
    404: OpenApiResponse(ErrorSerializer, description="The channel is not configured."),
}


@extend_schema(tags=["notifications"])
class SmsCallbackView(_ProviderCallback):
    channel = "sms"

    @extend_schema(
        summary="SMS gateway delivery reports",
        description="Signed by the gateway: `X-Dblood-Signature: sha256=<hex HMAC-SHA256 of the raw body, key "
        "SMS_CALLBACK_SECRET>`. Body: one report or a list, each {id, reference, status, error}.",
        request=OpenApiTypes.OBJECT,
        responses=_SIGNED,
    )
    def post(self, request):
        return super().post(request)


@extend_schema(tags=["notifications"])
class WhatsAppCallbackView(_ProviderCallback):
    channel = "whatsapp"

    @extend_schema(
        summary="WhatsApp Cloud API status webhook",
        description="Signed by Meta: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body, key "
        "WHATSAPP_APP_SECRET>`. Body: the webhook's entry[].changes[].value.statuses[].",
        request=OpenApiTypes.OBJECT,
        responses=_SIGNED,
    )
    def post(self, request):
        return super().post(request)

    @extend_schema(
        summary="WhatsApp webhook verification",
        description="Meta's handshake when the webhook is registered: answers `hub.challenge` as plain text "
        "when `hub.verify_token` is WHATSAPP_VERIFY_TOKEN.",
        parameters=[
            OpenApiParameter("hub.mode", str, required=True),
            OpenApiParameter("hub.verify_token", str, required=True),
            OpenApiParameter("hub.challenge", str, required=True),
        ],
        responses={
            (200, "text/plain"): OpenApiTypes.STR,
            403: OpenApiResponse(ErrorSerializer, description="Wrong verify token, or none configured."),
            404: OpenApiResponse(ErrorSerializer, description="The channel is not configured."),
        },
    )
    def get(self, request):
        if channels.provider_for(self.channel) is None:
            raise ChannelOff()
        expected = settings.WHATSAPP_VERIFY_TOKEN
        given = request.query_params.get("hub.verify_token", "")
        if (
            not expected
            or request.query_params.get("hub.mode") != "subscribe"
            or not hmac.compare_digest(expected.encode(), given.encode())
        ):
            raise exceptions.PermissionDenied(_("The verify token does not match."), code="bad_verify_token")
        return HttpResponse(request.query_params.get("hub.challenge", "")[:200], content_type="text/plain")
