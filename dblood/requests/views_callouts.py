from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from dblood.core.permissions import IsDonor

from .callouts import call_out_answer
from .models import CallOut, CallOutResponse
from .selectors import requests_visible_to
from .serializers import CallOutAnswerSerializer, CallOutDonorSerializer, CallOutStaffSerializer

_either = PolymorphicProxySerializer(
    component_name="CallOutView",
    serializers=[CallOutStaffSerializer, CallOutDonorSerializer],
    resource_type_field_name=None,
)


@extend_schema(tags=["call-outs"])
class CallOutViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Emergency call-outs. Staff see counts and the names of who answered; donors see the call-outs
    sent to them, where and when to come, and answer coming or can't."""

    permission_classes = [IsAuthenticated]
    queryset = CallOut.objects.none()

    def get_permissions(self):
        if self.action == "answer":
            return [IsDonor()]
        return super().get_permissions()

    def _donor(self):
        return getattr(self.request.user, "donor", None)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CallOut.objects.none()
        user = self.request.user
        base = CallOut.objects.select_related("collection_site", "request")
        if user.is_donor:
            donor = self._donor()
            if donor is None:
                return CallOut.objects.none()
            mine = CallOutResponse.objects.filter(call_out=OuterRef("pk"), donor=donor)
            return base.filter(recipients__donor=donor).annotate(
                my_answer=Subquery(mine.values("answer")[:1]), my_response=Subquery(mine.values("pk")[:1])
            )
        visible = requests_visible_to(user).values("pk")
        responses = CallOutResponse.objects.select_related("donor__user").order_by("answered_at", "id")
        return (
            base.filter(request__in=visible)
            .annotate(
                asked=Count("recipients", distinct=True),
                n_coming=Count("responses", filter=Q(responses__answer="coming"), distinct=True),
                n_cant=Count("responses", filter=Q(responses__answer="cant"), distinct=True),
            )
            .prefetch_related(Prefetch("responses", queryset=responses))
            .order_by("-created_at", "-id")
        )

    def get_serializer_context(self):
        context = super().get_serializer_context()
        donor = self._donor() if self.request.user.is_authenticated and self.request.user.is_donor else None
        if donor is not None:
            from dblood.donors.selectors import donor_eligibility

            # Today's verdict, read once for the whole list (three queries).
            context["eligibility"] = donor_eligibility(donor=donor, on=timezone.localdate())
        return context

    def get_serializer_class(self):
        return CallOutDonorSerializer if self.request.user.is_donor else CallOutStaffSerializer

    @extend_schema(responses={200: _either})
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses={200: _either})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=CallOutAnswerSerializer, responses={200: CallOutDonorSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Coming or can't; a second answer replaces the first."""
        serializer = CallOutAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call_out = self.get_object()
        call_out_answer(call_out=call_out, donor=self._donor(), answer=serializer.validated_data["answer"])
        return Response(
            CallOutDonorSerializer(self.get_queryset().get(pk=call_out.pk), context=self.get_serializer_context()).data
        )
