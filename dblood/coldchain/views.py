from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from dblood.audit.context import audit_actor_label
from dblood.core.throttles import DeviceReadingThrottle
from dblood.inventory.models import BloodUnit
from dblood.inventory.selectors import units_for_staff

from . import reconciliation, selectors, services
from .authentication import DeviceTokenAuthentication
from .models import Excursion, ExcursionUnit, Reconciliation, ReconciliationItem, StorageLocation, TemperatureReading
from .permissions import CanKeepColdChain, HasDeviceToken
from .serializers import (
    DeviceReadingSerializer,
    DeviceTokenSerializer,
    ExcursionCloseSerializer,
    ExcursionFilterSerializer,
    ExcursionSerializer,
    ReadingCreateSerializer,
    ReadingSerializer,
    ReconciliationCreateSerializer,
    ReconciliationItemSerializer,
    ReconciliationSerializer,
    ResolveSerializer,
    StorageLocationCreateSerializer,
    StorageLocationSerializer,
    UnitMoveCreateSerializer,
    UnitMoveSerializer,
)

TAGS = ["cold chain"]


def _check_bank(user, site_id: int) -> None:
    if not (user.is_admin or site_id in user.site_ids):
        raise PermissionDenied(_("Only staff of this blood bank, or an administrator, may keep its cold chain."))


@extend_schema(tags=TAGS)
class StorageLocationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Fridges, freezers and agitators of the user's blood banks, each with its last reading, its open
    excursion and how many units are kept there."""

    permission_classes = [CanKeepColdChain]
    serializer_class = StorageLocationSerializer
    lookup_value_regex = r"\d+"
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return StorageLocation.objects.none()
        last = TemperatureReading.objects.filter(location_id=OuterRef("pk")).order_by("-taken_at", "-id")
        open_excursion = Excursion.objects.filter(location_id=OuterRef("pk"), status=Excursion.Status.OPEN)
        return (
            selectors.locations_visible_to(self.request.user)
            .select_related("site")
            .annotate(
                last_temperature_c=Subquery(last.values("temperature_c")[:1]),
                last_taken_at=Subquery(last.values("taken_at")[:1]),
                last_in_range=Subquery(last.values("in_range")[:1]),
                open_excursion=Subquery(open_excursion.values("pk")[:1]),
                units_stored=Count("units", filter=Q(units__state__in=services.IN_STORAGE)),
            )
            .order_by("site__name", "code")
        )

    @extend_schema(request=StorageLocationCreateSerializer, responses={201: StorageLocationSerializer}, tags=TAGS)
    def create(self, request):
        body = StorageLocationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        _check_bank(request.user, data["site"].pk)
        location = services.storage_location_create(**data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=location.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={201: DeviceTokenSerializer}, tags=TAGS)
    @action(detail=True, methods=["post"], url_path="device-token")
    def device_token(self, request, pk=None):
        """A new token for the location's temperature device (the previous one stops working)."""
        location = self.get_object()
        token = services.device_token_issue(location=location)
        return Response({"token": token}, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["post"],
        request=ReadingCreateSerializer,
        responses={
            201: ReadingSerializer,
            200: ReadingSerializer,
            409: OpenApiResponse(description="Another temperature at that moment."),
        },
        tags=TAGS,
    )
    @extend_schema(methods=["get"], responses={200: ReadingSerializer(many=True)}, tags=TAGS)
    @action(detail=True, methods=["get", "post"])
    def readings(self, request, pk=None):
        """The location's readings, newest first (the last 200); or a reading taken by staff."""
        location = self.get_object()
        if request.method == "GET":
            rows = TemperatureReading.objects.filter(location=location).order_by("-taken_at", "-id")[:200]
            return Response(ReadingSerializer(rows, many=True).data)
        body = ReadingCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reading, created = services.reading_record(
            location=location, source=TemperatureReading.Source.STAFF, by=request.user, **body.validated_data
        )
        return Response(
            ReadingSerializer(reading).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class DeviceReadingView(APIView):
    """A temperature device posts one reading of its storage location. Posting the same reading again
    (same location and moment) answers 200 with the first; nothing is recorded twice."""

    authentication_classes = [DeviceTokenAuthentication]
    permission_classes = [HasDeviceToken]
    throttle_classes = [DeviceReadingThrottle]

    @extend_schema(
        request=DeviceReadingSerializer,
        responses={
            201: ReadingSerializer,
            200: ReadingSerializer,
            401: OpenApiResponse(description="No device token, or not a valid one."),
            403: OpenApiResponse(description="The token belongs to another storage location."),
            409: OpenApiResponse(description="Another temperature is recorded at that moment."),
            429: OpenApiResponse(description="Too many readings from this address (DEVICE_READING_THROTTLE_RATE)."),
        },
        tags=TAGS,
    )
    def post(self, request):
        location = request.auth
        body = DeviceReadingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if data.pop("location") != location.pk:
            raise PermissionDenied(_("This device token belongs to another storage location."))
        with audit_actor_label(f"device:{location.site.code} {location.code}"):
            reading, created = services.reading_record(
                location=location, source=TemperatureReading.Source.DEVICE, **data
            )
        return Response(
            ReadingSerializer(reading).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema(tags=TAGS)
class ExcursionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Temperature excursions at the user's blood banks (open ones unless `status` says), with the
    units each holds and what was decided for them."""

    permission_classes = [CanKeepColdChain]
    serializer_class = ExcursionSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Excursion.objects.none()
        held = ExcursionUnit.objects.select_related("unit__donation").order_by("id")
        qs = (
            selectors.excursions_visible_to(self.request.user)
            .select_related("location")
            .prefetch_related(Prefetch("held", queryset=held))
            .order_by("-opened_at", "-id")
        )
        if self.action == "list":
            params = ExcursionFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            if params.validated_data["status"] != "all":
                qs = qs.filter(status=params.validated_data["status"])
        return qs

    @extend_schema(parameters=[ExcursionFilterSerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ExcursionCloseSerializer,
        responses={
            200: ExcursionSerializer,
            409: OpenApiResponse(
                description="Closed already, a unit past its expiry to release, a recall holding it, or a label scan "
                "that does not match (the failed check is kept; nothing else is written)."
            ),
        },
        tags=TAGS,
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Decide for every unit the excursion holds: release (its label scanned, when it goes back into
        stock) or discard, with the reason."""
        excursion = self.get_object()
        body = ExcursionCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.excursion_close(
            excursion=excursion,
            by=request.user,
            reason=body.validated_data["reason"],
            decisions=body.validated_data["units"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=excursion.pk)).data)


class UnitMoveView(APIView):
    """Move a unit to another storage location of its bank (or take it out: `to_location` null)."""

    permission_classes = [CanKeepColdChain]

    @extend_schema(request=UnitMoveCreateSerializer, responses={201: UnitMoveSerializer}, tags=TAGS)
    def post(self, request):
        body = UnitMoveCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        units = BloodUnit.objects.all() if request.user.is_admin else units_for_staff(user=request.user)
        unit = get_object_or_404(units, pk=body.validated_data["unit"])
        to_location = None
        if body.validated_data["to_location"] is not None:
            to_location = get_object_or_404(
                selectors.locations_visible_to(request.user), pk=body.validated_data["to_location"]
            )
        move = services.unit_move(unit=unit, to_location=to_location, by=request.user)
        return Response(UnitMoveSerializer(move).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class ReconciliationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """End-of-day counts of the user's storage locations, with their differences."""

    permission_classes = [CanKeepColdChain]
    serializer_class = ReconciliationSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reconciliation.objects.none()
        items = ReconciliationItem.objects.order_by("id")
        return (
            selectors.reconciliations_visible_to(self.request.user)
            .select_related("location")
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("-at", "-id")
        )

    @extend_schema(request=ReconciliationCreateSerializer, responses={201: ReconciliationSerializer}, tags=TAGS)
    def create(self, request):
        body = ReconciliationCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        location = get_object_or_404(selectors.locations_visible_to(request.user), pk=body.validated_data["location"])
        record = reconciliation.reconciliation_record(
            location=location, scans=body.validated_data["scans"], by=request.user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ResolveSerializer, responses={200: ReconciliationItemSerializer}, tags=TAGS)
    @action(detail=True, methods=["post"], url_path=r"items/(?P<item_id>\d+)/resolve")
    def resolve(self, request, pk=None, item_id=None):
        """Say what was found and done about one difference."""
        record = self.get_object()
        item = get_object_or_404(ReconciliationItem, reconciliation=record, pk=item_id)
        body = ResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        resolved = reconciliation.reconciliation_item_resolve(
            item=item, resolution=body.validated_data["resolution"], by=request.user
        )
        return Response(ReconciliationItemSerializer(resolved).data)
