from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import services
from .models import Recall, RecallUnit
from .permissions import CanFollowRecalls
from .selectors import recalls_visible_to
from .serializers import RecallFilterSerializer, RecallSerializer


class RecallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lookback recalls concerning the staff member's blood banks (open ones unless `status` says)."""

    permission_classes = [CanFollowRecalls]
    serializer_class = RecallSerializer
    lookup_value_regex = r"\d+"
    queryset = Recall.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        traced = RecallUnit.objects.select_related("unit__donation", "site", "transfer").order_by("id")
        qs = (
            recalls_visible_to(self.request.user)
            .select_related("site", "donation")
            .prefetch_related(Prefetch("traced", queryset=traced))
            .order_by("-opened_at", "-id")
        )
        if self.action == "list":
            params = RecallFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            if params.validated_data["status"] != "all":
                qs = qs.filter(status=params.validated_data["status"])
        return qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "site_ids": self.request.user.site_ids}

    @extend_schema(parameters=[RecallFilterSerializer], tags=["recalls"])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["recalls"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: RecallSerializer}, tags=["recalls"])
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        recall = self.get_object()
        services.recall_close(recall=recall, by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=recall.pk)).data)
