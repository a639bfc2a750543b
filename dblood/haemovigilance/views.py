from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import complications, reactions
from .models import DonorComplication, ReactionUnit, TransfusionReaction
from .permissions import (
    CanCodeDonorComplications,
    IsDonorReporting,
    IsHospitalStaffReporting,
    IsInvestigatingBankStaff,
    IsReactionParty,
)
from .selectors import complications_of_donor, complications_visible_to, reactions_visible_to
from .serializers import (
    ComplicationCodesSerializer,
    ComplicationCreateSerializer,
    ComplicationFilterSerializer,
    ComplicationFollowUpSerializer,
    DonorComplicationSerializer,
    DonorReportSerializer,
    MyComplicationSerializer,
    ReactionConcludeSerializer,
    ReactionCreateSerializer,
    ReactionDeferSerializer,
    ReactionFilterSerializer,
    ReactionLookbackSerializer,
    TransfusionReactionSerializer,
)

TAGS = ["haemovigilance"]


class MyComplicationsView(generics.ListCreateAPIView):
    """The signed-in donor's reports of a reaction after donating; POST reports a new one."""

    permission_classes = [IsDonorReporting]
    serializer_class = MyComplicationSerializer
    queryset = DonorComplication.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return complications_of_donor(self.request.user).select_related("site").order_by("-reported_at", "-id")

    @extend_schema(tags=TAGS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=DonorReportSerializer, responses={201: MyComplicationSerializer}, tags=TAGS)
    def post(self, request, *args, **kwargs):
        serializer = DonorReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        made = complications.complication_report_by_donor(
            by=request.user,
            donation_id=data["donation"],
            symptoms=data["symptoms"],
            occurred_at=data["occurred_at"],
            still_unwell=data["still_unwell"],
            description=data["description"],
        )
        return Response(MyComplicationSerializer(self.get_queryset().get(pk=made.pk)).data, status=201)


class DonorComplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Donor complications (ISBT 2014) of the collections at the staff member's blood banks."""

    permission_classes = [CanCodeDonorComplications]
    serializer_class = DonorComplicationSerializer
    lookup_value_regex = r"\d+"
    queryset = DonorComplication.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = complications_visible_to(self.request.user).select_related("donation__donor")
        if self.action == "list":
            params = ComplicationFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            for name, value in params.validated_data.items():
                qs = qs.filter(**{name: value})
        return qs.order_by("-occurred_at", "-id")

    def _render(self, pk: int, http_status=status.HTTP_200_OK) -> Response:
        return Response(DonorComplicationSerializer(self.get_queryset().get(pk=pk)).data, status=http_status)

    @extend_schema(parameters=[ComplicationFilterSerializer], tags=TAGS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=TAGS)
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=ComplicationCreateSerializer, responses={201: DonorComplicationSerializer}, tags=TAGS)
    def create(self, request):
        serializer = ComplicationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        made = complications.complication_record(by=request.user, donation_id=data.pop("donation"), **data)
        return self._render(made.pk, status.HTTP_201_CREATED)

    @extend_schema(request=ComplicationCodesSerializer, responses={200: DonorComplicationSerializer}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def code(self, request, pk=None):
        """Code a donor's report: ISBT 2014 category, severity, onset, outcome and follow-up."""
        complication = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ComplicationCodesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complications.complication_code(complication=complication, by=request.user, **serializer.validated_data)
        return self._render(complication.pk)

    @extend_schema(request=ComplicationFollowUpSerializer, responses={200: DonorComplicationSerializer}, tags=TAGS)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        """Later news: the outcome and follow-up now."""
        complication = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ComplicationFollowUpSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complications.complication_follow_up(complication=complication, by=request.user, **serializer.validated_data)
        return self._render(complication.pk)


class TransfusionReactionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Transfusion reactions (ISBT/IHN): the hospital reports, the issuing bank investigates."""

    permission_classes = [IsReactionParty]  # reads; writes have their own (get_permissions)
    serializer_class = TransfusionReactionSerializer
    lookup_value_regex = r"\d+"
    queryset = TransfusionReaction.objects.none()  # for the schema; requests use get_queryset

    BANK_ACTIONS = frozenset({"investigate", "conclude", "lookback", "defer"})

    def get_permissions(self):
        if self.action == "create":
            return [IsHospitalStaffReporting()]
        if self.action in self.BANK_ACTIONS:
            return [IsInvestigatingBankStaff()]
        return super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        implicated = ReactionUnit.objects.select_related("unit__donation").order_by("id")
        qs = (
            reactions_visible_to(self.request.user)
            .select_related("hospital", "bank")
            .prefetch_related(Prefetch("implicated", queryset=implicated))
        )
        if self.action == "list":
            params = ReactionFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            if params.validated_data.get("status"):
                qs = qs.filter(status=params.validated_data["status"])
        return qs.order_by("-reported_at", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "bank_view": self.request.user.is_blood_bank_staff}

    def _render(self, pk: int, http_status=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=pk)).data, status=http_status)

    @extend_schema(parameters=[ReactionFilterSerializer], tags=TAGS)
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=TAGS)
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=ReactionCreateSerializer, responses={201: TransfusionReactionSerializer}, tags=TAGS)
    def create(self, request):
        serializer = ReactionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        made = reactions.reaction_report(by=request.user, unit_ids=data.pop("units"), **data)
        return self._render(made.pk, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: TransfusionReactionSerializer}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def investigate(self, request, pk=None):
        reaction = get_object_or_404(self.get_queryset(), pk=pk)
        reactions.reaction_investigate(reaction=reaction, by=request.user)
        return self._render(reaction.pk)

    @extend_schema(request=ReactionConcludeSerializer, responses={200: TransfusionReactionSerializer}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        reaction = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ReactionConcludeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reactions.reaction_conclude(reaction=reaction, by=request.user, **serializer.validated_data)
        return self._render(reaction.pk)

    @extend_schema(request=ReactionLookbackSerializer, responses={200: TransfusionReactionSerializer}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def lookback(self, request, pk=None):
        """Trace the donor of an implicated unit (the recall mechanism)."""
        reaction = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ReactionLookbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reactions.reaction_lookback(reaction=reaction, by=request.user, unit_id=serializer.validated_data["unit"])
        return self._render(reaction.pk)

    @extend_schema(request=ReactionDeferSerializer, responses={200: TransfusionReactionSerializer}, tags=TAGS)
    @action(detail=True, methods=["post"])
    def defer(self, request, pk=None):
        """Defer the donor of an implicated unit (TRALI: reason `trali-implicated`)."""
        reaction = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = ReactionDeferSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reactions.reaction_defer_donor(reaction=reaction, by=request.user, unit_id=data.pop("unit"), **data)
        return self._render(reaction.pk)
