"""Who may read and write which relay conversation: the one rule every relay view and service asks."""

from django.db.models import QuerySet

from dblood.requests.models import CallOutResponse
from dblood.requests.selectors import requests_visible_to

from .models import Thread


def responses_visible_to(user) -> QuerySet[CallOutResponse]:
    """The call-out answers `user` may talk about: a donor their own; staff the answers to call-outs
    they may act on (admins all, a blood bank's staff its requests', a hospital's staff its requests'
    once a blood bank has verified the hospital, as for starting a call-out)."""
    if user.is_donor:
        return CallOutResponse.objects.filter(donor__user=user)
    requests = requests_visible_to(user)
    if user.is_hospital_staff:
        requests = requests.filter(hospital__verified_by__isnull=False)
    return CallOutResponse.objects.filter(call_out__request__in=requests.values("pk"))


def threads_visible_to(user) -> QuerySet[Thread]:
    return Thread.objects.filter(response__in=responses_visible_to(user).values("pk")).select_related(
        "response__call_out__collection_site", "response__donor__user"
    )
