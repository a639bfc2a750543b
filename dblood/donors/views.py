from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from dblood.core import answers
from dblood.core.permissions import IsAdmin, IsBloodBankStaff, IsDonor

from . import services
from .access import donors_visible_to
from .eligibility import answer_scopes
from .models import Deferral, DeferralReason, Donor
from .selectors import donor_eligibility
from .serializers import (
    DeferralCreateSerializer,
    DeferralLiftSerializer,
    DeferralReasonSerializer,
    DeferralSerializer,
    DonorSerializer,
    EligibilityQuerySerializer,
    EligibilitySerializer,
    NikDeskSerializer,
    NikVerifySerializer,
    StaffDeferralSerializer,
    StaffDonorSerializer,
)


def _own_donor(request):
    donor = services.donor_create_for_user(user=request.user)
    donor.user = request.user
    return donor


@extend_schema(tags=["donors"])
class DonorMeView(generics.RetrieveUpdateAPIView):
    """The signed-in donor's own profile (created on first use)."""

    permission_classes = [IsDonor]
    serializer_class = DonorSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return _own_donor(self.request)

    def perform_update(self, serializer):
        services.donor_update(donor=serializer.instance, data=dict(serializer.validated_data))


@extend_schema(tags=["donors"])
class DonorEligibilityView(APIView):
    """May I donate on `on` (default today)? Per donation type: eligible, every reason why not,
    and the next date I may."""

    permission_classes = [IsDonor]

    @extend_schema(parameters=[EligibilityQuerySerializer], responses={200: EligibilitySerializer})
    def get(self, request):
        # Cached per donor until their profile, donations or deferrals, or the rules, change.
        return answers.respond(
            request,
            name="eligibility",
            scopes=answer_scopes(request.user.pk),
            caller=str(request.user.pk),
            make=lambda: self._answer(request),
        )

    def _answer(self, request) -> Response:
        params = EligibilityQuerySerializer(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        on = params.validated_data.get("on") or timezone.localdate()
        result = donor_eligibility(donor=_own_donor(request), on=on)
        return Response(EligibilitySerializer(result).data)


@extend_schema(tags=["donors"])
class DonorMeDeferralsView(generics.ListAPIView):
    """The signed-in donor's deferrals, newest first."""

    permission_classes = [IsDonor]
    serializer_class = DeferralSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Deferral.objects.none()
        return _own_donor(self.request).deferrals.select_related("reason")


@extend_schema(tags=["donors"])
class DonorViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Donors visible to the caller: staff see donors with appointments or donations at their
    sites, admins everyone, a donor only themselves. `q` searches name, email and donor number."""

    permission_classes = [IsAuthenticated]
    serializer_class = StaffDonorSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Donor.objects.none()
        donors = donors_visible_to(self.request.user).order_by("donor_number")
        q = self.request.query_params.get("q", "").strip()[:100]
        if "\x00" in q:  # PostgreSQL text cannot hold NUL: a 400, not the database's error
            raise ValidationError({"q": [_("Null characters are not allowed.")]})
        if q and self.action == "list":
            donors = donors.filter(
                Q(donor_number__iexact=q) | Q(user__email__icontains=q) | Q(user__full_name__icontains=q)
            )
        return donors

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: StaffDeferralSerializer(many=True)},
        operation_id="donor_deferrals",
    )
    @extend_schema(methods=["POST"], request=DeferralCreateSerializer, responses={201: StaffDeferralSerializer})
    @action(detail=True, methods=["get", "post"], permission_classes=[IsBloodBankStaff], pagination_class=None)
    def deferrals(self, request, pk=None):
        """The donor's deferrals, newest first (GET), or record one (POST; reason from the catalogue).
        For staff of a blood bank the donor booked or gave at."""
        donor = self.get_object()
        if request.method == "GET":
            register = donor.deferrals.select_related("reason", "recorded_by", "lifted_by")
            return Response(StaffDeferralSerializer(register, many=True).data)
        serializer = DeferralCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deferral = services.deferral_record(donor=donor, recorded_by=request.user, **serializer.validated_data)
        return Response(StaffDeferralSerializer(deferral).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DeferralLiftSerializer, responses={200: StaffDeferralSerializer})
    @action(
        detail=True,
        methods=["post"],
        permission_classes=[IsBloodBankStaff],
        url_path=r"deferrals/(?P<deferral_id>\d+)/lift",
    )
    def deferral_lift(self, request, pk=None, deferral_id=None):
        """End a temporary deferral early, with the reason; a permanent one is a 409."""
        donor = self.get_object()
        serializer = DeferralLiftSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        deferral = get_object_or_404(donor.deferrals.all(), pk=deferral_id)
        lifted = services.deferral_lift(deferral=deferral, by=request.user, reason=serializer.validated_data["reason"])
        register = donor.deferrals.select_related("reason", "recorded_by", "lifted_by")
        return Response(StaffDeferralSerializer(register.get(pk=lifted.pk)).data)

    @extend_schema(request=None, responses={200: NikDeskSerializer})
    @action(detail=True, methods=["get"], permission_classes=[IsBloodBankStaff | IsAdmin], url_path="nik")
    def nik(self, request, pk=None):
        """The desk that checks the donor's identity card: the NIK in full (every other reader gets
        it masked)."""
        donor = self.get_object()
        return Response(NikDeskSerializer(donor).data)

    @extend_schema(request=NikVerifySerializer, responses={200: NikDeskSerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsBloodBankStaff | IsAdmin], url_path="nik/verify")
    def nik_verify(self, request, pk=None):
        """The NIK read off the identity card matches the one the donor gave: mark it verified."""
        donor = self.get_object()
        serializer = NikVerifySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        donor = services.nik_verify(donor=donor, nik=serializer.validated_data["nik"], by=request.user)
        return Response(NikDeskSerializer(donors_visible_to(request.user).get(pk=donor.pk)).data)


@extend_schema(tags=["donors"])
class DeferralReasonViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The deferral-reason catalogue."""

    permission_classes = [IsAuthenticated]
    serializer_class = DeferralReasonSerializer
    queryset = DeferralReason.objects.all()
    pagination_class = None
