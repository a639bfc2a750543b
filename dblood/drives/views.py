from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dblood.core import answers, httpcache

from . import selectors, services
from .models import Drive, Slot
from .permissions import DrivePermission
from .questionnaire import questionnaire_current
from .serializers import (
    AppointmentSerializer,
    DriveCancelSerializer,
    DriveQuerySerializer,
    DriveSerializer,
    DriveWriteSerializer,
    QuestionnaireSerializer,
    WalkInResultSerializer,
    WalkInSerializer,
)
from .walk_ins import walk_in_register


# Anyone reads drives (DrivePermission), so the reads are documented as needing no token.
@extend_schema(tags=["drives"])
@extend_schema_view(retrieve=extend_schema(auth=[]))
class DriveViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Donation drives. Anyone searches (`date_from`, `date_to`, `city`, `province`, `lat`+`lon`
    with `radius_km`, `has_free_slots`, `donation_type`, `organiser`); each drive lists its slots
    with free places. Staff of the organising blood bank create, edit and cancel."""

    permission_classes = [DrivePermission]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return DriveWriteSerializer if self.action in ("create", "partial_update") else DriveSerializer

    def get_queryset(self):
        if self.action == "list":
            params = DriveQuerySerializer(data=self.request.query_params.dict())
            params.is_valid(raise_exception=True)
            filters = {k: v for k, v in params.validated_data.items() if k not in ("page", "page_size")}
            return selectors.drive_search(**filters)
        return Drive.objects.select_related("organiser", "site").prefetch_related(
            Prefetch("slots", queryset=Slot.objects.order_by("starts_at"))
        )

    @extend_schema(
        parameters=[DriveQuerySerializer],
        responses={200: DriveSerializer(many=True), **httpcache.NOT_MODIFIED},
        auth=[],
    )
    def list(self, request, *args, **kwargs):
        # The same for everyone who asks: cached until a drive, slot or site changes (a booking too).
        return answers.respond(
            request,
            name="drives",
            scopes=[selectors.DRIVES_SCOPE],
            public=True,
            make=lambda: super(DriveViewSet, self).list(request, *args, **kwargs),
            stale_at=selectors.next_slot_start,
        )

    @extend_schema(request=DriveWriteSerializer, responses={201: DriveSerializer})
    def create(self, request, *args, **kwargs):
        serializer = DriveWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        organiser = data.pop("organiser")
        if not (request.user.is_admin or organiser.id in request.user.site_ids):
            raise PermissionDenied(_("You may create drives only for your own blood bank."))
        drive = services.drive_create(organiser=organiser, created_by=request.user, **data)
        return Response(DriveSerializer(self._fresh(drive)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DriveWriteSerializer, responses={200: DriveSerializer})
    def partial_update(self, request, *args, **kwargs):
        drive = self.get_object()
        serializer = DriveWriteSerializer(drive, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        drive = services.drive_update(drive=drive, **serializer.validated_data)
        return Response(DriveSerializer(self._fresh(drive)).data)

    def _fresh(self, drive):
        """The drive re-read with its slots, as the list and detail render it."""
        return self.get_queryset().get(pk=drive.pk)

    @extend_schema(request=DriveCancelSerializer, responses={200: DriveSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel the drive; every booked donor is told (in-app notification)."""
        drive = self.get_object()
        serializer = DriveCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        drive = services.drive_cancel(drive=drive, by=request.user, **serializer.validated_data)
        return Response(DriveSerializer(self._fresh(drive)).data)

    @extend_schema(request=None, responses={200: AppointmentSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def appointments(self, request, pk=None):
        """The check-in desk: this drive's appointments with questionnaire answers and flags."""
        drive = self.get_object()
        rows = (
            selectors.appointments_visible_to(request.user).filter(slot__drive=drive).order_by("slot__starts_at", "id")
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(AppointmentSerializer(page, many=True).data)

    @extend_schema(request=WalkInSerializer, responses={201: WalkInResultSerializer})
    @action(detail=True, methods=["post"], url_path="walk-ins")
    def walk_ins(self, request, pk=None):
        """Register a walk-in donor at today's drive; they are checked in at once."""
        drive = self.get_object()
        serializer = WalkInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        registered = walk_in_register(drive=drive, by=request.user, slot_id=data.pop("slot", None), **data)
        appointment = selectors.appointments_visible_to(request.user).get(pk=registered.pk)
        appointment.likely_duplicates = registered.likely_duplicates
        return Response(WalkInResultSerializer(appointment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["appointments"])
class QuestionnaireView(APIView):
    """The current pre-donation questionnaire (answer it on your appointment before you come)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: QuestionnaireSerializer})
    def get(self, request):
        return Response(QuestionnaireSerializer(questionnaire_current()).data)
