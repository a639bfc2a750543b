from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from dblood.core import answers, httpcache
from dblood.core.schema import ErrorSerializer

from . import fees as fee_services
from . import selectors, services
from .models import Site
from .permissions import IsBankStaffOrAdmin, IsSiteStaffOrAdmin
from .serializers import (
    ProcessingFeesSerializer,
    ProcessingFeeTableSerializer,
    SiteDetailSerializer,
    SitePhotoSerializer,
    SiteQuerySerializer,
    SiteSerializer,
)


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
        sites = Site.objects.filter(is_active=True).select_related("verified_by")
        if self.action == "retrieve":
            sites = sites.prefetch_related("processing_fees")
        return sites

    def get_serializer_class(self):
        return SiteDetailSerializer if self.action == "retrieve" else SiteSerializer

    @extend_schema(
        parameters=[SiteQuerySerializer], responses={200: SiteSerializer(many=True), **httpcache.NOT_MODIFIED}
    )
    def list(self, request, *args, **kwargs):
        # The same for everyone who asks: cached until a site changes.
        return answers.respond(
            request,
            name="sites",
            scopes=[selectors.SITES_SCOPE],
            public=True,
            make=lambda: super(SiteViewSet, self).list(request, *args, **kwargs),
        )

    @extend_schema(responses={200: SiteDetailSerializer})
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(
        summary="Set the blood bank's processing fees (BPPD)",
        description="The whole table, rupiah per bag by component; a component left out has no published fee. "
        "Staff of this blood bank and admins only; 409 for a hospital. Every change is audited.",
        request=ProcessingFeesSerializer,
        responses={200: ProcessingFeeTableSerializer},
    )
    @action(detail=True, methods=["put"], url_path="fees", permission_classes=[IsBankStaffOrAdmin])
    def fees(self, request, pk=None):
        site = self.get_object()  # who may, before what they sent
        params = ProcessingFeesSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        table = {line["component"]: line["amount_idr"] for line in params.validated_data["fees"]}
        saved = fee_services.processing_fees_set(site=site, fees=table, by=request.user)
        return Response(ProcessingFeeTableSerializer({"fees": saved}).data)

    @extend_schema(
        methods=["PUT"],
        summary="Upload or replace the site's photo",
        description="Multipart, the file in `photo`: a JPEG, PNG or WebP image, at most SITE_PHOTO_MAX_BYTES "
        "(413 naming `photo` above) and SITE_PHOTO_MAX_PIXELS. Anything else is a 400 naming `photo`. "
        "A re-encoded JPEG copy without metadata is stored under a name the server makes; the old photo "
        "is deleted. Staff of this site and admins only.",
        request={"multipart/form-data": SitePhotoSerializer},
        responses={200: SiteSerializer, 413: OpenApiResponse(ErrorSerializer, description="The photo is too large.")},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove the site's photo",
        description="The file is deleted after commit; a site without a photo answers 204 too. "
        "Staff of this site and admins only.",
        request=None,
        responses={204: None},
    )
    @action(
        detail=True,
        methods=["put", "delete"],
        url_path="photo",
        permission_classes=[IsSiteStaffOrAdmin],
        # JSON is parsed too, so a JSON body is a 400 naming `photo` rather than a bare 415.
        parser_classes=[MultiPartParser, JSONParser],
    )
    def photo(self, request, pk=None):
        site = self.get_object()
        if request.method == "DELETE":
            services.site_photo_delete(site=site)
            return Response(status=status.HTTP_204_NO_CONTENT)
        params = SitePhotoSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        site = services.site_photo_replace(site=site, upload=params.validated_data["photo"])
        return Response(SiteSerializer(site, context=self.get_serializer_context()).data)
