from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dblood.core.throttles import PublicCheckThrottle

from . import services
from .callouts import call_out_start
from .issue_note import issue_note
from .models import Allocation, BloodRequest, CallOutResponse, ReplacementCode
from .permissions import IsHospitalStaffOrAdmin, IsRequestParty
from .replacement import replacement_code_issue, replacement_status
from .selectors import allocation_proposal, requests_visible_to
from .serializers import (
    AllocationSerializer,
    BloodRequestCreateSerializer,
    BloodRequestSerializer,
    CallOutStaffSerializer,
    CallOutStartSerializer,
    CancelSerializer,
    IssuedRequestSerializer,
    IssueNoteSerializer,
    IssueSerializer,
    OutcomeSerializer,
    ProposedUnitSerializer,
    ReplacementCodeSerializer,
    ReplacementStatusSerializer,
    ReserveSerializer,
)


def _reference(pk) -> BloodRequest:
    """An unread request for a service that reads it itself; a malformed id is a 404, as in get_object."""
    try:
        return BloodRequest(pk=int(pk))
    except (TypeError, ValueError) as exc:
        raise NotFound(_("No such request.")) from exc


@extend_schema(tags=["requests"])
class BloodRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Hospital blood requests: hospitals create and follow theirs; blood banks see those addressed to them."""

    permission_classes = [IsRequestParty]
    serializer_class = BloodRequestSerializer
    queryset = BloodRequest.objects.none()
    filterset_fields = ["status", "urgency", "component"]
    # Actions that load the request only to check access and pass it to a service.
    WRITES = frozenset({"reserve", "allocate", "issue", "cancel", "call_out", "outcome", "replacement_code"})

    def get_permissions(self):
        if self.action == "create":
            return [IsHospitalStaffOrAdmin()]
        return super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BloodRequest.objects.none()
        if self.action in self.WRITES:
            # The write re-reads (and locks) what it needs; the answer is rendered from a fresh read.
            return requests_visible_to(self.request.user)
        return self._rendered_queryset()

    def _rendered_queryset(self):
        allocations = Allocation.objects.select_related("unit__donation", "transfer", "reserved_by")
        return (
            requests_visible_to(self.request.user)
            .select_related("replacement_code")
            .prefetch_related(Prefetch("allocations", queryset=allocations), "replacement_code__credits__appointment")
        )

    def get_serializer_class(self):
        return BloodRequestCreateSerializer if self.action == "create" else BloodRequestSerializer

    @extend_schema(request=BloodRequestCreateSerializer, responses={201: BloodRequestSerializer})
    def create(self, request, *args, **kwargs):
        serializer = BloodRequestCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        blood_request = services.request_create(by=request.user, **serializer.validated_data)
        return Response(self._render(blood_request), status=status.HTTP_201_CREATED)

    def _render(self, blood_request: BloodRequest) -> dict:
        return BloodRequestSerializer(self._rendered_queryset().get(pk=blood_request.pk)).data

    # One list, not a page, and not filtered by the request list's query parameters.
    @extend_schema(request=None, responses={200: ProposedUnitSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def proposal(self, request, pk=None):
        """Compatible available units to reserve, best first (see README for the order)."""
        blood_request = self.get_object()
        if not (request.user.is_blood_bank_staff or request.user.is_admin):
            raise PermissionDenied(_("Only blood-bank staff see the units on offer."))
        services.require_open(blood_request)  # nothing is on offer for a cancelled or closed request
        units = allocation_proposal(blood_request=blood_request)
        return Response(ProposedUnitSerializer(units, many=True).data)

    @extend_schema(request=ReserveSerializer, responses={200: BloodRequestSerializer})
    @action(detail=True, methods=["post"])
    def reserve(self, request, pk=None):
        """Reserve these units; a unit the rules would not propose needs `override_reason`."""
        serializer = ReserveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        blood_request = self.get_object()
        services.allocation_reserve(
            blood_request=blood_request,
            unit_ids=serializer.validated_data["units"],
            override_reason=serializer.validated_data["override_reason"],
            override_acknowledged=serializer.validated_data["override_acknowledged"],
            by=request.user,
        )
        return Response(self._render(blood_request))

    @extend_schema(request=None, responses={200: BloodRequestSerializer})
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        """Reserve the best proposed units until the request is covered (as far as stock allows)."""
        # No read here: the service reads and locks the request through the caller's visibility
        # (404 otherwise), and the answer is rendered from what it wrote when that is all there is.
        allocations = services.allocation_auto(blood_request=_reference(pk), by=request.user)
        locked = allocations[0].request
        if "allocations" in getattr(locked, "_prefetched_objects_cache", {}):
            return Response(BloodRequestSerializer(locked).data)
        return Response(self._render(locked))

    @extend_schema(
        request=IssueSerializer,
        responses={200: IssuedRequestSerializer},
        description="Issue reserved units. The answer carries the issue note: the bank's processing fee (BPPD) "
        "per bag for the units just issued, and their total.",
    )
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        serializer = IssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        blood_request = self.get_object()
        issued = services.request_issue(
            blood_request=blood_request, unit_ids=serializer.validated_data.get("units"), by=request.user
        )
        data = self._render(blood_request)
        data["issue_note"] = IssueNoteSerializer(
            issue_note(bank=data["target_bank"]["name"], hospital=data["hospital"]["name"], issued=issued)
        ).data
        return Response(data)

    @extend_schema(request=CancelSerializer, responses={200: BloodRequestSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        serializer = CancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        blood_request = self.get_object()
        services.request_cancel(blood_request=blood_request, by=request.user, **serializer.validated_data)
        return Response(self._render(blood_request))

    @extend_schema(request=CallOutStartSerializer, responses={201: CallOutStaffSerializer})
    @action(detail=True, methods=["post"], url_path="call-outs")
    def call_out(self, request, pk=None):
        """Start an emergency donor call-out (blood-bank staff, or staff of a verified hospital)."""
        serializer = CallOutStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call_out = call_out_start(blood_request=self.get_object(), by=request.user, **serializer.validated_data)
        # Just created, in this transaction: nobody has been asked or answered yet, so the counts and
        # responders are known without reading them back (CallOutViewSet's queryset annotates them).
        call_out.asked = call_out.n_coming = call_out.n_cant = 0
        call_out._prefetched_objects_cache = {"responses": CallOutResponse.objects.none()}
        return Response(CallOutStaffSerializer(call_out).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            201: OpenApiResponse(ReplacementCodeSerializer, description="Issued."),
            200: OpenApiResponse(ReplacementCodeSerializer, description="Renewed: the same code, valid again."),
        },
    )
    @action(detail=True, methods=["post"], url_path="replacement-code")
    def replacement_code(self, request, pk=None):
        """Issue the request's replacement-donation code for the patient's family, or renew it (the same
        code, valid for REPLACEMENT_CODE_VALID_DAYS from now). Hospital or blood-bank staff of the request."""
        blood_request = self.get_object()
        code, created = replacement_code_issue(blood_request=blood_request, by=request.user)
        code = (
            ReplacementCode.objects.select_related("request").prefetch_related("credits__appointment").get(pk=code.pk)
        )
        return Response(
            ReplacementCodeSerializer(code).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    @extend_schema(request=OutcomeSerializer, responses={200: AllocationSerializer})
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        """The hospital records whether an issued unit was transfused, and any reaction."""
        serializer = OutcomeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        blood_request = self.get_object()
        allocation = get_object_or_404(
            blood_request.allocations.select_related("request", "unit__donation"),
            unit_id=serializer.validated_data["unit"],
            status__in=Allocation.ACTIVE,
        )
        data = serializer.validated_data
        if data["transfused"]:
            recorded = services.allocation_record_outcome(
                allocation=allocation, by=request.user, transfused=True, reaction=data["reaction"]
            )
            # The locked row, with the allocation's request and unit already read for the answer.
            recorded.request, recorded.unit.donation = allocation.request, allocation.unit.donation
            allocation = recorded
        else:
            # Not transfused: the unit goes back through the returns flow (the outcome is recorded
            # there, in the same transaction), so it never stays `issued` with nobody deciding.
            from dblood.returns.services import unit_return

            with transaction.atomic():
                unit_return(unit_id=allocation.unit_id, by=request.user, **data["return_details"])
                allocation.refresh_from_db()
                if data["reaction"]:
                    allocation.reaction = data["reaction"]
                    allocation.save(update_fields=["reaction"])
        return Response(AllocationSerializer(allocation).data)


class ReplacementStatusView(APIView):
    """Public: how many replacement donations a code has brought its request, for the patient's
    family. Counts and dates only: no names, nothing of the patient. Throttled per address."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicCheckThrottle]

    @extend_schema(
        responses={200: ReplacementStatusSerializer, 404: OpenApiResponse(description="No such code.")},
        tags=["public"],
        auth=[],
    )
    def get(self, request, code: str):
        response = Response(ReplacementStatusSerializer(replacement_status(code)).data)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "no-store"
        return response
