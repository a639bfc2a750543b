from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dblood.core.isbt import scanned
from dblood.core.permissions import IsBloodBankStaff, IsDonor
from dblood.core.throttles import PublicCheckThrottle
from dblood.inventory.views import FirstRendererOnly

from . import lab, services
from .certificate_pdf import certificate_pdf
from .milestones import holder_shown, milestone_progress
from .models import Donation, MilestoneCertificate
from .serializers import (
    CertificateCheckSerializer,
    DeferredCollectionSerializer,
    DonationCreateSerializer,
    DonationLabSerializer,
    DonationSerializer,
    MyDonationSerializer,
    MyMilestonesSerializer,
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


class MyMilestonesView(APIView):
    """Your completed donations at every blood bank, PMI's next award, and your certificates."""

    permission_classes = [IsDonor]

    @extend_schema(responses={200: MyMilestonesSerializer}, tags=["donations"])
    def get(self, request):
        donor = getattr(request.user, "donor", None)
        progress = milestone_progress(donor)
        body = {
            "count": progress.count,
            "next_milestone": progress.next_milestone,
            "to_go": progress.to_go,
            "milestones": list(settings.DONATION_MILESTONES),
            "certificates": list(donor.milestone_certificates.all()) if donor else [],
        }
        return Response(MyMilestonesSerializer(body).data)


class MyCertificatePdfView(APIView):
    """Your certificate for a milestone you reached, as a PDF (Bahasa Indonesia and English)."""

    permission_classes = [IsDonor]
    content_negotiation_class = FirstRendererOnly

    @extend_schema(
        request=None,
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="An A4 certificate with the QR code of its check page."
            ),
            404: OpenApiResponse(description="You have not reached this milestone."),
        },
        tags=["donations"],
    )
    def get(self, request, milestone: int):
        certificate = (
            MilestoneCertificate.objects.select_related("donor__user")
            .filter(donor__user=request.user, milestone=milestone)
            .first()
        )
        if certificate is None:
            raise NotFound(_("You have no certificate for %(count)d donations.") % {"count": milestone})
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        name = f"dblood-certificate-{certificate.milestone}.pdf"
        response["Content-Disposition"] = f'inline; filename="{name}"'
        response["Cache-Control"] = "private, no-store"
        return response


class CertificateCheckView(APIView):
    """Public: is this a real dblood certificate? The count, the day and the holder's first name and
    last initial; nothing else of the donor. Throttled per address."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicCheckThrottle]

    @extend_schema(
        responses={200: CertificateCheckSerializer, 404: OpenApiResponse(description="No such certificate.")},
        tags=["public"],
        auth=[],
    )
    def get(self, request, token: str):
        certificate = MilestoneCertificate.objects.select_related("donor__user").filter(token=token).first()
        if certificate is None:
            raise NotFound(_("No certificate has this number: it was not issued by dblood."))
        body = {
            "milestone": certificate.milestone,
            "issued_on": timezone.localdate(certificate.issued_at),
            "holder": holder_shown(certificate.donor.user.full_name),
        }
        response = Response(CertificateCheckSerializer(body).data)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
