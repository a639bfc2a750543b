from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.permissions import AllowAny

from . import selectors
from .models import Site
from .serializers import SiteQuerySerializer, SiteSerializer


@extend_schema(tags=["sites"])
class SiteViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Blood banks and hospitals, public. Search with `q`, `kind`, `city`, `province`; with `lat` and
    `lon` every result has `distance_km` and the nearest come first (`radius_km` limits them)."""

    permission_classes = [AllowAny]
    serializer_class = SiteSerializer
    queryset = Site.objects.none()

    def get_queryset(self):
        if self.action == "list":
            params = SiteQuerySerializer(data=self.request.query_params.dict())
            params.is_valid(raise_exception=True)
            filters = {k: v for k, v in params.validated_data.items() if k not in ("page", "page_size")}
            return selectors.site_search(**filters)
        return Site.objects.filter(is_active=True).select_related("verified_by")

    @extend_schema(parameters=[SiteQuerySerializer])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)
