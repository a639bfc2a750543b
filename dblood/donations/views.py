from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dblood.core.isbt import scanned
from dblood.core.permissions import IsBloodBankStaff, IsDonor

from . import lab, services
from .models import Donation
from .serializers import (
    DeferredCollectionSerializer,
    DonationCreateSerializer,
    DonationLabSerializer,
    DonationSerializer,
    MyDonationSerializer,
    ScreeningSerializer,
    SeparationSerializer,
    TypingSerializer,
    WorkItemSerializer,
)
from .worklist import lab_worklist


class MyDonationsView(generics.ListAPIView):
    """The signed-in donor's donations and the units made from each, with their current state."""

    permission_classes = [IsDonor]
    serializer_class = MyDonationSerializer
    queryset = Donation.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return (
            Donation.objects.filter(donor__user=self.request.user)
            .select_related("site")
            .prefetch_related("units__issued_to")
            .order_by("-collected_at", "-id")
        )

    @extend_schema(tags=["donations"])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class DonationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Collection records and lab work at the staff member's own blood banks."""

    permission_classes = [IsBloodBankStaff]
    serializer_class = DonationSerializer
    lookup_value_regex = r"\d+"
    queryset = Donation.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = Donation.objects.filter(site_id__in=self.request.user.site_ids).select_related("site", "donor")
        if self.action == "list":
            din = self.request.query_params.get("din")
            if din is not None:
                # What the lab's scanner typed: a DIN in any form it takes, a product code beside it ignored.
                qs = qs.filter(din=scanned(din, field="din", expect="din", require=("din",)).din)
            return qs.prefetch_related("units__issued_to").order_by("-collected_at", "-id")
        return qs.prefetch_related("units__issued_to", "screening_results")

    def get_serializer_class(self):
        return DonationSerializer if self.action == "list" else DonationLabSerializer

    def _render(self, donation_pk: int, http_status=status.HTTP_200_OK) -> Response:
        return Response(DonationLabSerializer(self.get_queryset().get(pk=donation_pk)).data, status=http_status)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "din",
                str,
                description="Only the donation of this DIN: typed, or what the scanner typed from the bag's "
                "label (with its check character or flags, other ISBT 128 structures beside it ignored).",
            )
        ],
        tags=["donations"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["donations"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(responses={200: WorkItemSerializer(many=True)}, tags=["lab"])
    @action(detail=False, methods=["get"], pagination_class=None)
    def worklist(self, request):
        """What the lab still has to do at your blood banks: typing, screens, repeats, separation;
        the donation whose processing window closes first comes first."""
        return Response(WorkItemSerializer(lab_worklist(user=request.user), many=True).data)

    @extend_schema(
        request=DonationCreateSerializer,
        responses={
            201: DonationLabSerializer,
            200: OpenApiResponse(DeferredCollectionSerializer, description="Out of range: deferred, no donation."),
        },
        tags=["donations"],
    )
    def create(self, request):
        serializer = DonationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.donation_record(by=request.user, **serializer.validated_data)
        if result.donation is None:
            body = {"outcome": "deferred", "problems": result.problems, "deferrals": result.deferrals}
            return Response(DeferredCollectionSerializer(body).data, status=status.HTTP_200_OK)
        return self._render(result.donation.pk, status.HTTP_201_CREATED)

    @extend_schema(request=TypingSerializer, responses={200: DonationLabSerializer}, tags=["lab"])
    @action(detail=True, methods=["post"])
    def typing(self, request, pk=None):
        donation = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = TypingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lab.typing_record(donation=donation, by=request.user, **serializer.validated_data)
        return self._render(donation.pk)

    @extend_schema(request=ScreeningSerializer, responses={200: DonationLabSerializer}, tags=["lab"])
    @action(detail=True, methods=["post"])
    def screening(self, request, pk=None):
        donation = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ScreeningSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        lab.screening_record(donation=donation, by=request.user, **serializer.validated_data)
        return self._render(donation.pk)

    @extend_schema(request=SeparationSerializer, responses={201: DonationLabSerializer}, tags=["lab"])
    @action(detail=True, methods=["post"])
    def components(self, request, pk=None):
        donation = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = SeparationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.donation_separate(donation=donation, by=request.user, **serializer.validated_data)
        return self._render(donation.pk, status.HTTP_201_CREATED)
