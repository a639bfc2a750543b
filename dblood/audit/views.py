from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from dblood.core.permissions import IsAdmin

from . import selectors
from .serializers import AuditEventSerializer, AuditFilterSerializer


@extend_schema(
    tags=["audit"],
    parameters=[
        OpenApiParameter("model", str, description="Audited model, e.g. `donors.Donor`, `inventory.BloodUnit`."),
        OpenApiParameter("object_id", str, description="The record's id."),
        OpenApiParameter("actor", int, description="Id of the user who made the change."),
    ],
)
class AuditEventListView(generics.ListAPIView):
    """Admins only: every change of donor records and blood units, who made it, before and after."""

    permission_classes = [IsAdmin]
    serializer_class = AuditEventSerializer

    def get_queryset(self):
        params = AuditFilterSerializer(data=self.request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = params.validated_data
        return selectors.audit_events(
            model=data.get("model", ""), object_id=data.get("object_id", ""), actor_id=data.get("actor")
        )
