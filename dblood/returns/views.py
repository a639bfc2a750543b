from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from . import services
from .models import UnitReturn
from .permissions import IsHospitalStaffReturning, IsIssuingBankStaff, IsReturnParty
from .selectors import returns_visible_to
from .serializers import UnitReturnCreateSerializer, UnitReturnDecideSerializer, UnitReturnSerializer


class UnitReturnViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Issued units handed back unused: the hospital returns, the issuing bank inspects and decides."""

    permission_classes = [IsReturnParty]  # reads; returning and deciding have their own (get_permissions)
    serializer_class = UnitReturnSerializer
    lookup_value_regex = r"\d+"
    queryset = UnitReturn.objects.none()  # for the schema; requests use get_queryset

    def get_permissions(self):
        chosen = {"create": IsHospitalStaffReturning, "decide": IsIssuingBankStaff}.get(self.action)
        return [chosen()] if chosen else super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return returns_visible_to(self.request.user).select_related("unit__donation").order_by("-returned_at", "-id")

    def _render(self, pk: int, http_status=status.HTTP_200_OK) -> Response:
        return Response(UnitReturnSerializer(self.get_queryset().get(pk=pk)).data, status=http_status)

    @extend_schema(tags=["returns"])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["returns"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=UnitReturnCreateSerializer, responses={201: UnitReturnSerializer}, tags=["returns"])
    def create(self, request):
        serializer = UnitReturnCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        returned = services.unit_return(
            unit_id=data["unit"],
            by=request.user,
            left_storage_at=data["left_storage_at"],
            temperature_c=data["temperature_c"],
            validated_box=data["validated_box"],
        )
        return self._render(returned.pk, status.HTTP_201_CREATED)

    @extend_schema(request=UnitReturnDecideSerializer, responses={200: UnitReturnSerializer}, tags=["returns"])
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        unit_return = get_object_or_404(self.get_queryset(), pk=pk)
        serializer = UnitReturnDecideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.unit_return_decide(unit_return=unit_return, by=request.user, **serializer.validated_data)
        return self._render(unit_return.pk)
