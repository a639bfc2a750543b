"""One JSON error shape for every 4xx and 5xx the api returns.

    {"status": 400, "code": "invalid", "detail": _("Invalid input."),
     "fields": {"email": ["Enter a valid email address."]}}

`fields` is present only for validation errors; its keys are the request's field names
(nested ones joined with dots, list items by index).
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as ModelValidationError
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


class Conflict(exceptions.APIException):
    """409: the request is valid but the current state forbids it (full slot, illegal transition)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state.")
    default_code = "conflict"

    def __init__(self, detail=None, code=None, extra: dict | None = None):
        super().__init__(detail, code)
        self.extra = extra or {}


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("The service is temporarily unavailable; try again shortly.")
    default_code = "service_unavailable"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_flatten(value, name))
    elif isinstance(detail, list) and detail and all(isinstance(item, (dict, list)) for item in detail):
        for index, value in enumerate(detail):
            out.update(_flatten(value, f"{prefix}.{index}" if prefix else str(index)))
    elif isinstance(detail, list):
        out[prefix or "non_field_errors"] = [str(item) for item in detail]
    else:
        out[prefix or "non_field_errors"] = [str(detail)]
    return out


def error_body(status_code: int, code: str, detail: str, fields: dict | None = None, **extra) -> dict:
    body = {"status": status_code, "code": code, "detail": str(detail)}  # a lazy message, in the reader's language
    if fields:
        body["fields"] = fields
    body.update(extra)
    return body


def exception_handler(exc, context):
    if isinstance(exc, (OperationalError, InterfaceError)):
        logger.warning("database unavailable: %s", exc)
        exc = ServiceUnavailable()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = PayloadTooLarge()
    elif isinstance(exc, ModelValidationError):
        # A model's full_clean() inside a service refused the client's values: a 400 naming them.
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, SuspiciousOperation):
        # Too many fields, a malformed multipart boundary, a bad Host: the client's fault.
        logger.warning("suspicious request: %s", exc)
        exc = exceptions.ParseError(_("Malformed request."))

    response = drf_exception_handler(exc, context)
    if response is None:
        if isinstance(exc, DatabaseError):
            logger.exception("database error")
        else:
            logger.exception("unhandled error in the api", exc_info=exc)
        return Response(
            error_body(500, "server_error", _("Something went wrong on our side; it has been logged.")),
            status=500,
        )

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        body = error_body(response.status_code, "invalid", _("Invalid input."), fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        code = codes if isinstance(codes, str) else "error"
        body = error_body(response.status_code, code, str(detail), **getattr(exc, "extra", {}))
    response.data = body
    if response.status_code == 503:
        response.headers.setdefault("Retry-After", "5")
    return response


def json_error_view(status_code: int, code: str, detail: str):
    """Django-level handlers (404/500 outside DRF views) in the same shape."""

    def view(request, exception=None):
        return JsonResponse(error_body(status_code, code, detail), status=status_code)

    return view


handler400 = json_error_view(400, "bad_request", _("Bad request."))
handler403 = json_error_view(403, "permission_denied", _("You do not have permission to perform this action."))
handler404 = json_error_view(404, "not_found", _("Not found."))
handler500 = json_error_view(500, "server_error", _("Something went wrong on our side; it has been logged."))
