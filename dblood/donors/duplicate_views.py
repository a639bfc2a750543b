"""Likely-duplicate donor records and their merges: for bank staff and admins (donors.duplicates,
donors.merge)."""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from dblood.core.permissions import IsAdmin, IsBloodBankStaff

from .access import duplicate_pairs_visible_to, merges_visible_to
from .duplicates import open_pairs
from .merge import donor_merge, donor_merge_undo
from .models import Donor, DonorMerge, DuplicatePair
from .serializers import DonorMergeCreateSerializer, DonorMergeSerializer, DuplicatePairSerializer

RECORD_FIELDS = ("first", "second")


def _count_donations(donors) -> None:
    """Each donor's number of donations, in one query for the page (the desk picks the survivor by it)."""
    donation = Donor._meta.get_field("donations").related_model
    counts = dict(
        donation.objects.filter(donor__in=[d.pk for d in donors])
        .values("donor")
        .annotate(n=Count("id"))
        .values_list("donor", "n")
    )
    for donor in donors:
        donor.donation_count = counts.get(donor.pk, 0)


@extend_schema(tags=["donors"])
class DuplicatePairViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Likely duplicate donor records still to review (neither merged since), newest first."""

    permission_classes = [IsBloodBankStaff | IsAdmin]
    serializer_class = DuplicatePairSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DuplicatePair.objects.none()
        visible = duplicate_pairs_visible_to(self.request.user)
        return (
            open_pairs().filter(pk__in=visible.values("pk")).select_related("first__user", "second__user")
        ).order_by("-found_at", "-id")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        _count_donations([donor for pair in page for donor in (pair.first, pair.second)])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["donors"])
class DonorMergeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Merges of two records of one donor, newest first; create one from a likely-duplicate pair
    (an admin: any two records), undo one."""

    permission_classes = [IsBloodBankStaff | IsAdmin]
    serializer_class = DonorMergeSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DonorMerge.objects.none()
        return merges_visible_to(self.request.user).select_related("survivor__user", "merged__user", "by", "undone_by")

    def _fresh(self, pk: int) -> DonorMerge:
        return DonorMerge.objects.select_related("survivor__user", "merged__user", "by", "undone_by").get(pk=pk)

    def _respond(self, merges) -> Response:
        _count_donations([donor for merge in merges for donor in (merge.survivor, merge.merged)])
        return Response(DonorMergeSerializer(merges[0]).data)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        _count_donations([donor for merge in page for donor in (merge.survivor, merge.merged)])
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return self._respond([self.get_object()])

    @extend_schema(request=DonorMergeCreateSerializer, responses={201: DonorMergeSerializer})
    def create(self, request):
        """Fold `merged` into `survivor`: donations, deferrals, appointments, call-out answers and
        notifications move in one transaction; the merged record's account is switched off."""
        serializer = DonorMergeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        survivor_id, merged_id = serializer.validated_data["survivor"], serializer.validated_data["merged"]
        if survivor_id == merged_id:
            raise ValidationError({"merged": [_("A record cannot be merged with itself.")]})
        donors = Donor.objects.in_bulk([survivor_id, merged_id])
        if request.user.is_admin:
            for name, pk in (("survivor", survivor_id), ("merged", merged_id)):
                if pk not in donors:
                    raise ValidationError({name: [_("No donor record has this id.")]})
        else:
            low, high = sorted([survivor_id, merged_id])
            pair = duplicate_pairs_visible_to(request.user).filter(first_id=low, second_id=high)
            if not pair.exists():
                raise NotFound(_("No likely-duplicate pair of these two records that you may see."))
        merge = donor_merge(survivor=donors[survivor_id], merged=donors[merged_id], by=request.user)
        response = self._respond([self._fresh(merge.pk)])
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=None, responses={200: DonorMergeSerializer})
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        """Put both records back as they were before the merge (rows made since stay with the survivor)."""
        merge = get_object_or_404(self.get_queryset(), pk=pk)
        donor_merge_undo(merge=merge, by=request.user)
        return self._respond([self._fresh(merge.pk)])
