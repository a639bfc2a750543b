"""The FHIR R4 endpoint, /fhir/r4/. Thin views: parse, call one service, render a resource.

Each view names its resource type, its FHIR interactions per HTTP method and the scope an OAuth2
client needs for each; the CapabilityStatement is built from these (capability.py), and a test
derives the same list from the URL configuration.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dblood.core.errors import exception_handler as api_exception_handler
from dblood.core.parsers import JSONParser
from dblood.requests.models import Allocation, BloodRequest
from dblood.requests.permissions import IsHospitalStaffOrAdmin, IsRequestParty
from dblood.requests.selectors import requests_visible_to

from . import orders, units
from .authentication import HospitalClientAuthentication, token_scopes
from .models import FhirInteraction
from .outcome import FhirError, operation_outcome
from .rendering import FhirJSONParser, FhirJSONRenderer, JsonPatchParser, PlainJSONRenderer


def _fhir_exception_handler(exc, context):
    """The api's own handling (status, logging, headers), with the body as an OperationOutcome."""
    if isinstance(exc, FhirError):
        return Response(operation_outcome(status=exc.status_code, issues=exc.issues), status=exc.status_code)
    response = api_exception_handler(exc, context)
    body = response.data
    issues = [(None, body.get("detail", ""))]
    if body.get("fields"):
        paths = getattr(context.get("view"), "field_paths", {})
        issues = [
            (paths.get(name.split(".")[0], paths.get("")), " ".join(map(str, msgs)))
            for name, msgs in body["fields"].items()
        ]
    response.data = operation_outcome(status=response.status_code, issues=issues)
    return response


class FhirView(APIView):
    resource_type = ""
    # HTTP method -> FHIR interaction code (CapabilityStatement.rest.resource.interaction.code).
    interactions: dict[str, str] = {}
    # HTTP method -> the OAuth2 scope a hospital client needs.
    scopes: dict[str, str] = {}
    search_params: tuple[tuple[str, str, str], ...] = ()  # (name, type, documentation)
    field_paths: dict[str, str] = {}

    authentication_classes = [HospitalClientAuthentication]
    permission_classes = [IsRequestParty]
    renderer_classes = [FhirJSONRenderer, PlainJSONRenderer]
    parser_classes = [FhirJSONParser, JSONParser]
    # FHIR's contract is the CapabilityStatement, not the api's OpenAPI schema.
    schema = None

    def get_exception_handler(self):
        return _fhir_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        granted = token_scopes(request.auth)
        needed = self.scopes.get(request.method)
        if granted is not None and needed and needed not in granted:
            raise exceptions.PermissionDenied(_("This token lacks the scope %(scope)s.") % {"scope": needed})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        _record(request, response, view=self, resource_id=kwargs.get("pk", ""))
        response["Cache-Control"] = "no-store"
        return response


def _record(request, response, *, view: FhirView, resource_id) -> None:
    """Every FHIR interaction, answered or refused, goes to the audit log."""
    user = getattr(request, "user", None)
    auth = getattr(request, "auth", None)
    application = getattr(auth, "application", None)
    location = response.get("Location", "") if response.status_code == 201 else ""
    FhirInteraction.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        client_id=application.client_id if application is not None else "",
        interaction=view.interactions.get(request.method, request.method.lower()),
        resource_type=view.resource_type,
        resource_id=str(resource_id or location.rstrip("/").rpartition("/")[2])[:64],
        method=request.method,
        path=request.path[:255],
        status=response.status_code,
    )


class CapabilityStatementView(FhirView):
    """GET /fhir/r4/metadata: what this server supports, open to anyone (FHIR's capabilities)."""

    resource_type = "CapabilityStatement"
    interactions = {"GET": "capabilities"}
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        from .capability import capability_statement

        return Response(capability_statement(request))


def _requests(user):
    allocations = Allocation.objects.select_related("unit__donation").exclude(status=Allocation.Status.RELEASED)
    return (
        requests_visible_to(user)
        .select_related("fhir_order")
        .prefetch_related(Prefetch("allocations", queryset=allocations))
    )


class ServiceRequestTypeView(FhirView):
    """POST /fhir/r4/ServiceRequest: place an order (If-None-Exist: identifier=... for retries)."""

    resource_type = "ServiceRequest"
    interactions = {"POST": "create"}
    scopes = {"POST": "system/ServiceRequest.write"}
    field_paths = orders.FIELD_PATHS
    permission_classes = [IsHospitalStaffOrAdmin]

    def post(self, request):
        hospital = _own_hospital(request.user)
        criteria = request.headers.get("If-None-Exist")
        if criteria:
            name, _sep, token = criteria.partition("=")
            if name != "identifier" or not token:
                raise FhirError([("If-None-Exist", _("Only identifier=[system|]value is supported."))])
            system, bar, value = token.rpartition("|")
            found = orders.existing(hospital=hospital, system=system if bar else None, value=value)
            if found is not None:
                return Response(orders.render(_requests(request.user).get(pk=found.blood_request_id)))
        blood_request = orders.order_create(data=request.data, request=request, hospital=hospital)
        body = orders.render(_requests(request.user).get(pk=blood_request.pk))
        location = request.build_absolute_uri(f"/fhir/r4/ServiceRequest/{blood_request.pk}")
        return Response(body, status=201, headers={"Location": location})


def _own_hospital(user):
    """The one hospital a hospital system or nurse acts for (the REST api asks a many-hospital user to say)."""
    from dblood.sites.models import Site

    mine = list(Site.objects.filter(kind=Site.Kind.HOSPITAL, pk__in=user.site_ids))
    if len(mine) != 1:
        raise FhirError([("ServiceRequest.requester", _("Only staff of exactly one hospital may order here."))], 403)
    return mine[0]


class ServiceRequestInstanceView(FhirView):
    """GET /fhir/r4/ServiceRequest/{id}: the order, its status and units. PUT or PATCH status=revoked cancels."""

    resource_type = "ServiceRequest"
    interactions = {"GET": "read", "PUT": "update", "PATCH": "patch"}
    scopes = {
        "GET": "system/ServiceRequest.read",
        "PUT": "system/ServiceRequest.write",
        "PATCH": "system/ServiceRequest.write",
    }
    parser_classes = [FhirJSONParser, JSONParser, JsonPatchParser]

    def _get(self, pk) -> BloodRequest:
        return get_object_or_404(_requests(self.request.user), pk=int(pk))

    def get(self, request, pk):
        return Response(orders.render(self._get(pk)))

    def put(self, request, pk):
        blood_request = self._get(pk)
        resource = orders.parse(request.data)
        if resource.id is not None and resource.id != str(blood_request.pk):
            raise FhirError([("ServiceRequest.id", _("The id must be the one in the URL."))])
        return self._to_status(blood_request, resource.status)

    def patch(self, request, pk):
        blood_request = self._get(pk)
        operations = request.data
        if not isinstance(operations, list) or not operations:
            raise FhirError([("ServiceRequest", _('A JSON Patch: [{"op": "replace", "path": "/status", ...}].'))])
        status = None
        for index, operation in enumerate(operations):
            if (
                not isinstance(operation, dict)
                or operation.get("path") != "/status"
                or operation.get("op") != "replace"
            ):
                raise FhirError(
                    [(f"ServiceRequest (patch operation {index})", _("Only replacing /status is supported."))], 422
                )
            status = operation.get("value")
        return self._to_status(blood_request, status)

    def _to_status(self, blood_request: BloodRequest, status):
        """Revoking is the one change a hospital system makes to an order: anything else (a changed
        quantity, a new priority) would be dropped without a word, so it is refused instead."""
        if status != "revoked":
            raise FhirError(
                [("ServiceRequest.status", _("Only status=revoked may be set: it cancels the order."))], 422
            )
        orders.order_revoke(blood_request=blood_request, by=self.request.user)
        return Response(orders.render(self._get(blood_request.pk)))


def _allocations(user):
    """Units allocated (or issued) to requests the user may see."""
    return Allocation.objects.select_related(
        "unit__donation__site", "request__hospital", "request__target_bank"
    ).filter(request__in=requests_visible_to(user).values("pk"))


class BiologicallyDerivedProductInstanceView(FhirView):
    """GET /fhir/r4/BiologicallyDerivedProduct/{id}: a unit allocated or issued to one of your requests."""

    resource_type = "BiologicallyDerivedProduct"
    interactions = {"GET": "read"}
    scopes = {"GET": "system/BiologicallyDerivedProduct.read"}

    def get(self, request, pk):
        allocation = (
            _allocations(request.user).filter(unit_id=int(pk)).exclude(status=Allocation.Status.RELEASED).first()
        )
        if allocation is None:
            raise exceptions.NotFound()
        return Response(units.render_unit(allocation.unit, allocation=allocation))


class SupplyDeliveryInstanceView(FhirView):
    """GET /fhir/r4/SupplyDelivery/{id}: one issue of a unit to your hospital."""

    resource_type = "SupplyDelivery"
    interactions = {"GET": "read"}
    scopes = {"GET": "system/SupplyDelivery.read"}

    def get(self, request, pk):
        allocation = _allocations(request.user).filter(pk=int(pk), status=Allocation.Status.ISSUED).first()
        if allocation is None:
            raise exceptions.NotFound()
        return Response(units.render_delivery(allocation))


class ObservationTypeView(FhirView):
    """POST /fhir/r4/Observation: what became of an issued unit (transfused or not), as the REST api's outcome."""

    resource_type = "Observation"
    interactions = {"POST": "create"}
    scopes = {"POST": "system/Observation.write"}
    permission_classes = [IsHospitalStaffOrAdmin]

    def post(self, request):
        from .outcomes import outcome_record, render_outcome

        allocation = outcome_record(data=request.data, by=request.user)
        return Response(render_outcome(allocation), status=201)


class AdverseEventTypeView(FhirView):
    """POST /fhir/r4/AdverseEvent: a transfusion reaction, reported to haemovigilance (the bank is alerted)."""

    resource_type = "AdverseEvent"
    interactions = {"POST": "create"}
    scopes = {"POST": "system/AdverseEvent.write"}
    permission_classes = [IsHospitalStaffOrAdmin]

    def post(self, request):
        from .outcomes import REACTION_PATHS, reaction_create, render_reaction

        self.field_paths = REACTION_PATHS
        reaction = reaction_create(data=request.data, by=request.user)
        return Response(render_reaction(reaction), status=201)
