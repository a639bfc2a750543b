from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from dblood.core import answers, httpcache
from dblood.core.isbt import scanned
from dblood.core.permissions import IsBloodBankStaff
from dblood.sites.selectors import SITES_SCOPE

from . import selectors, services, stock, transfers, verification
from .labels import CanPrintLabel, label_print, units_for_printing
from .models import BloodUnit, LabelPrint, Transfer
from .serializers import (
    DiscardSerializer,
    ExpiringFilterSerializer,
    LabelScansSerializer,
    LabelVerificationSerializer,
    StockFilterSerializer,
    StockSerializer,
    TransferCreateSerializer,
    TransferDispatchSerializer,
    TransferReceiveSerializer,
    TransferSerializer,
    UnitDetailSerializer,
    UnitFilterSerializer,
    UnitSerializer,
)

STOCK_PARAMS = [
    OpenApiParameter("province", str, description="Province name (case-insensitive)."),
    OpenApiParameter("site", str, description="Blood bank id or code."),
    OpenApiParameter("abo", str, enum=["O", "A", "B", "AB"]),
    OpenApiParameter("rhd", str, description="'+' (as %2B) or '-', or pos / neg."),
    OpenApiParameter("component", str, enum=["WB", "PRC", "TC", "FFP", "LP", "AHF"]),
]


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _stock_response(request, *, fmt: str, content_type: str) -> HttpResponse:
    """The cached body, kept gzipped (a tenth of the bytes on the wire for clients that accept it),
    with an ETag and public caching: open data, the same for everyone (`core.httpcache`)."""
    # No query string (the dashboard's default view, most requests): nothing to validate.
    filters = _query(StockFilterSerializer, request) if request.GET else {}
    packed, tag = stock.rendered(filters=filters, fmt=fmt)
    return answers.packed_response(request, packed, content_type, public_tag=tag)


class OpenStockView(APIView):
    """The open stock API: public data without credentials, so any web page may read it (CORS),
    errors included. Nothing else in the api sends CORS headers."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    def dispatch(self, request, *args, **kwargs):
        return httpcache.open_data(super().dispatch(request, *args, **kwargs))


class StockView(OpenStockView):
    """Public stock per blood bank x group x component, with provincial and national totals."""

    def dispatch(self, request, *args, **kwargs):
        # The dashboard's default view (a GET without a query string) is most of the traffic and
        # needs nothing DRF does (no authentication, no filter to validate, no renderer to choose):
        # served as plain Django: 0.17 -> 0.13 ms of CPU per request in-process (bench/FINDINGS.md).
        if request.method == "GET" and not request.GET:
            response = _stock_response(request, fmt="json", content_type="application/json")
            patch_vary_headers(response, ["Accept"])  # as DRF's answer says
            return httpcache.open_data(response)
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        parameters=STOCK_PARAMS, responses={200: StockSerializer, **httpcache.NOT_MODIFIED}, tags=["stock"], auth=[]
    )
    def get(self, request):
        return _stock_response(request, fmt="json", content_type="application/json")


class StockCsvView(OpenStockView):
    """The same cells as CSV, for spreadsheets and scrapers."""

    @extend_schema(
        parameters=STOCK_PARAMS,
        responses={
            (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description="CSV, one row per cell."),
            **httpcache.NOT_MODIFIED,
        },
        tags=["stock"],
        auth=[],
    )
    def get(self, request):
        response = _stock_response(request, fmt="csv", content_type="text/csv; charset=utf-8")
        if response.status_code == 200:
            response["Content-Disposition"] = 'inline; filename="dblood-stock.csv"'
        return response


class FirstRendererOnly(DefaultContentNegotiation):
    """A label answers its file, whatever the Accept header; an error is the api's JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def _label_schema(content_type: str, description: str):
    return extend_schema(
        request=None,
        responses={
            (200, content_type): OpenApiResponse(response=OpenApiTypes.BINARY, description=description),
            409: OpenApiResponse(description="The unit cannot be labelled (left custody, expired, no product code)."),
        },
        tags=["units"],
    )


LABEL_ACTION = {
    "detail": True,
    "methods": ["get"],
    "permission_classes": [CanPrintLabel],
    "content_negotiation_class": FirstRendererOnly,
}


class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Blood units at the staff member's own blood banks, first-expiring-first-out."""

    permission_classes = [IsBloodBankStaff]
    serializer_class = UnitSerializer
    lookup_value_regex = r"\d+"
    queryset = BloodUnit.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        if self.action == "retrieve" or self.action == "discard":
            # The label's state is read from its collecting bank (zone of the printed expiry).
            return (
                selectors.units_for_staff(user=self.request.user)
                .select_related("donation__site")
                .prefetch_related("events", "label_prints", "label_verifications")
            )
        return selectors.units_fefo(user=self.request.user, **_query(UnitFilterSerializer, self.request))

    def get_serializer_class(self):
        return UnitDetailSerializer if self.action in ("retrieve", "discard") else UnitSerializer

    def _label(self, request, fmt: str, content_type: str, disposition: str) -> HttpResponse:
        # An administrator may print any unit's label; staff only their own banks' (404 otherwise).
        unit = get_object_or_404(units_for_printing(user=request.user), pk=self.kwargs["pk"])
        self.check_object_permissions(request, unit)
        body, record = label_print(unit=unit, by=request.user, fmt=fmt)
        response = HttpResponse(body, content_type=content_type)
        name = f"dblood-label-{record.content['din']}-{record.content['product_code']}.{fmt}"
        response["Content-Disposition"] = f'{disposition}; filename="{name}"'
        response["Cache-Control"] = "no-store"  # every print is recorded: never answered from a cache
        response["X-Label-Print"] = str(record.kind)  # first, reprint or relabel; a plain str, as WSGI requires
        return response

    @_label_schema("application/pdf", "A 100 x 100 mm ISBT 128 label. Every call is recorded as a print.")
    @action(url_path="label.pdf", **LABEL_ACTION)
    def label_pdf(self, request, pk=None):
        return self._label(request, LabelPrint.Format.PDF, "application/pdf", "inline")

    @_label_schema("application/zpl", "The label in ZPL II for thermal printers (203 dpi). Recorded as a print.")
    @action(url_path="label.zpl", **LABEL_ACTION)
    def label_zpl(self, request, pk=None):
        return self._label(request, LabelPrint.Format.ZPL, "application/zpl; charset=utf-8", "attachment")

    @extend_schema(parameters=[UnitFilterSerializer], tags=["units"])
    def list(self, request, *args, **kwargs):
        # What staff see depends only on their blood banks: colleagues share one cached answer,
        # recomputed after any unit or site changes.
        return answers.respond(
            request,
            name="units",
            scopes=[selectors.UNITS_SCOPE, SITES_SCOPE],
            caller="sites:" + ",".join(map(str, sorted(request.user.site_ids))),
            make=lambda: super(UnitViewSet, self).list(request, *args, **kwargs),
            stale_at=selectors.next_expiry,
        )

    @extend_schema(tags=["units"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(parameters=[ExpiringFilterSerializer], responses={200: UnitSerializer(many=True)}, tags=["units"])
    @action(detail=False, methods=["get"])
    def expiring(self, request):
        params = _query(ExpiringFilterSerializer, request)
        qs = selectors.units_expiring(user=request.user, days=params["days"], site=params.get("site"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(UnitSerializer(page, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "din",
                str,
                OpenApiParameter.PATH,
                description="What the scanner typed (URL-encoded): the DIN with or without its check character, "
                "its barcode data `=` + DIN + flags, or several ISBT 128 data structures concatenated; a product "
                "code (003) among them narrows the answer to that product.",
            )
        ],
        responses={200: UnitSerializer(many=True)},
        tags=["units"],
    )
    @action(detail=False, methods=["get"], url_path=r"din/(?P<din>[^/]+)", pagination_class=None)
    def by_din(self, request, din: str):
        scan = scanned(din, field="din", expect="din", require=("din",))
        units = list(selectors.units_by_din(user=request.user, din=scan.din, product_code=scan.product_code))
        if not units:
            raise NotFound
        return Response(UnitSerializer(units, many=True).data)

    @extend_schema(request=DiscardSerializer, responses={200: UnitDetailSerializer}, tags=["units"])
    @action(detail=True, methods=["post"])
    def discard(self, request, pk=None):
        unit = self.get_object()
        serializer = DiscardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.unit_discard(unit=unit, reason=serializer.validated_data["reason"], by=request.user)
        return Response(UnitDetailSerializer(self.get_queryset().get(pk=unit.pk)).data)

    @extend_schema(
        request=LabelScansSerializer,
        responses={
            201: LabelVerificationSerializer,
            409: OpenApiResponse(
                description="A scan does not match the unit (the failed attempt is recorded), or the unit's "
                "label was never printed or is no longer current."
            ),
        },
        tags=["units"],
    )
    @action(
        detail=True, methods=["post"], url_path="label-verification", permission_classes=[verification.CanVerifyLabel]
    )
    def label_verification(self, request, pk=None):
        """Two-scan label check: the DIN barcode and the product barcode scanned from the printed label."""
        unit = get_object_or_404(units_for_printing(user=request.user), pk=self.kwargs["pk"])
        self.check_object_permissions(request, unit)
        serializer = LabelScansSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = verification.label_verify(
            unit=unit,
            by=request.user,
            din_scan=serializer.validated_data["din"],
            product_scan=serializer.validated_data["product_code"],
        )
        if not record.matched:  # the record is committed: a mismatch stays on file
            raise verification.mismatch_conflict(record)
        return Response(LabelVerificationSerializer(record).data, status=status.HTTP_201_CREATED)


class TransferViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Transfers out of and into the staff member's blood banks."""

    permission_classes = [IsBloodBankStaff]
    serializer_class = TransferSerializer
    lookup_value_regex = r"\d+"
    queryset = Transfer.objects.none()  # for the schema; requests use get_queryset
    # ?status=in_transit: what the inventory page shows, without reading every past transfer.
    # django-filter answers an unknown status with a 400 naming `status`.
    filterset_fields = ["status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = selectors.transfers_for_staff(user=self.request.user).order_by("-id")
        din = self.request.query_params.get("din") if self.action == "list" else None
        if din is not None:
            # What the receiving clerk's scanner typed from the bag: its DIN (and maybe its product code).
            scan = scanned(din, field="din", require=("din",))
            qs = qs.filter(unit__donation__din=scan.din)
            if scan.product_code:
                qs = qs.filter(unit__product_code=scan.product_code)
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "din",
                str,
                description="Only transfers of the unit with this DIN, as scanned from its label (its product "
                "barcode beside it narrows to that component).",
            )
        ],
        tags=["transfers"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=TransferCreateSerializer, responses={201: TransferSerializer}, tags=["transfers"])
    def create(self, request):
        serializer = TransferCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit = get_object_or_404(selectors.units_for_staff(user=request.user), pk=serializer.validated_data["unit"])
        transfer = transfers.transfer_send(
            unit=unit,
            to_site=serializer.validated_data["to_site"],
            by=request.user,
            temperature_c=serializer.validated_data["temperature_c"],
        )
        body = TransferSerializer(self.get_queryset().get(pk=transfer.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=TransferDispatchSerializer, responses={200: TransferSerializer}, tags=["transfers"])
    @action(detail=True, methods=["post"], url_path="dispatch")
    def dispatch_unit(self, request, pk=None):
        """The holding bank sends a unit another bank reserved for one of its requests."""
        transfer = get_object_or_404(self.get_queryset(), pk=pk)
        if transfer.from_site_id not in request.user.site_ids:
            raise PermissionDenied(_("Only the blood bank holding the unit can dispatch it."))
        body = TransferDispatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        transfers.transfer_dispatch(
            transfer=transfer, by=request.user, temperature_c=body.validated_data["temperature_c"]
        )
        return Response(TransferSerializer(self.get_queryset().get(pk=transfer.pk)).data)

    @extend_schema(
        request=TransferReceiveSerializer,
        responses={
            200: TransferSerializer,
            409: OpenApiResponse(
                description="Not on its way here, or a scan does not match the unit's label (the failed check "
                "is recorded and the unit stays on its way)."
            ),
        },
        tags=["transfers"],
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        """Book a unit in: the DIN and product barcodes scanned from the bag's label."""
        transfer = get_object_or_404(self.get_queryset(), pk=pk)
        if transfer.to_site_id not in request.user.site_ids:
            raise PermissionDenied(_("Only the receiving blood bank can book this unit in."))
        scans = TransferReceiveSerializer(data=request.data)
        scans.is_valid(raise_exception=True)
        transfers.transfer_receive(
            transfer=transfer,
            by=request.user,
            din_scan=scans.validated_data["din"],
            product_scan=scans.validated_data["product_code"],
            temperature_c=scans.validated_data["temperature_c"],
        )
        return Response(TransferSerializer(self.get_queryset().get(pk=transfer.pk)).data)
