"""Emergency call-outs: who may start one, which donors are asked, in batches, and their answers.

Only blood-bank staff of the request's bank, or staff of the requesting hospital when a blood bank
has verified it (Site.verified_by), may start a call-out: this stops hoax appeals. Batches are sent
by the worker (`callouts_send_due_batches`), never inside a web request.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from dblood.core.errors import Conflict
from dblood.inventory.components import refill_donation_type
from dblood.notifications.messages import notify
from dblood.notifications.models import Notification

from .compatibility import compatible_groups
from .donor_pool import nearby_donors
from .models import BloodRequest, CallOut, CallOutRecipient, CallOutResponse


def may_start_call_out(user, blood_request: BloodRequest) -> bool:
    if user.is_admin:
        return True
    if user.is_blood_bank_staff:
        return blood_request.target_bank_id in user.site_ids
    if user.is_hospital_staff:
        return blood_request.hospital_id in user.site_ids and blood_request.hospital.verified_by_id is not None
    return False


@transaction.atomic
def call_out_start(
    *,
    blood_request: BloodRequest,
    by,
    radius_km: int | None = None,
    donors_wanted: int | None = None,
    come_by=None,
) -> CallOut:
    if not may_start_call_out(by, blood_request):
        raise PermissionDenied(
            _("Only staff of the blood bank, or of a hospital a blood bank has verified, may start a call-out.")
        )
    locked = BloodRequest.objects.select_for_update().get(pk=blood_request.pk)
    if locked.status not in BloodRequest.OPEN:
        raise Conflict(
            _("The request is %(status)s.") % {"status": locked.get_status_display().lower()}, code="request_not_open"
        )
    if locked.call_outs.filter(status=CallOut.Status.OPEN).exists():
        raise Conflict(_("A call-out for this request is already running."), code="call_out_running")
    return CallOut.objects.create(
        request=locked,
        collection_site=blood_request.target_bank,  # the caller's, with the bank already read
        started_by=by,
        donation_type=refill_donation_type(locked.component),
        radius_km=radius_km or settings.CALLOUT_DEFAULT_RADIUS_KM,
        donors_wanted=donors_wanted or max(locked.units * 2, 2),
        batch_size=settings.CALLOUT_BATCH_SIZE,
        come_by=come_by or locked.needed_by,
    )


def call_out_candidates(*, call_out: CallOut, limit: int, now=None) -> list:
    """Donors to ask next, nearest first: able to give to the patient, not asked before, and the
    rest of `nearby_donors` (opted in, in range, under their weekly cap, eligible now)."""
    blood_request = call_out.request
    groups = compatible_groups(
        component=blood_request.component,
        patient_abo=blood_request.patient_abo,
        patient_rhd=blood_request.patient_rhd,
        female_cbp=blood_request.patient_female_cbp,
    )
    asked = CallOutRecipient.objects.filter(call_out=call_out, donor=OuterRef("pk"))
    return nearby_donors(
        site=call_out.collection_site,
        radius_km=call_out.radius_km,
        groups=groups,
        donation_type=call_out.donation_type,
        limit=limit,
        exclude=Exists(asked),
        now=now,
    )


@transaction.atomic
def call_out_send_batch(*, call_out: CallOut, now=None) -> int:
    """Ask the next batch of donors; marks the call-out exhausted when nobody is left."""
    now = now or timezone.now()
    locked = CallOut.objects.select_for_update(skip_locked=True).filter(pk=call_out.pk, status=CallOut.Status.OPEN)
    locked = locked.select_related("request__hospital", "collection_site").first()
    if locked is None:  # another worker holds it, or it closed
        return 0
    donors = call_out_candidates(call_out=locked, limit=locked.batch_size, now=now)
    batch = (locked.recipients.order_by("-batch").values_list("batch", flat=True).first() or 0) + 1
    CallOutRecipient.objects.bulk_create(
        [CallOutRecipient(call_out=locked, donor=donor, batch=batch) for donor in donors], ignore_conflicts=True
    )
    group = f"{locked.request.patient_abo}{locked.request.patient_rhd}"
    site = locked.collection_site
    until = timezone.localtime(locked.come_by).strftime("%Y-%m-%d %H:%M")
    for donor in donors:
        notify(
            user=donor.user,
            kind=Notification.Kind.CALL_OUT,
            key=f"call_out:{locked.pk}",
            data={
                "call_out": locked.pk,
                "site": site.name,
                "address": site.address,
                "come_by": locked.come_by.isoformat(),
            },
            group=group,
            place=site.name,
            until=until,
        )
    locked.last_batch_at = now
    locked.exhausted = len(donors) < locked.batch_size
    locked.save(update_fields=["last_batch_at", "exhausted"])
    return len(donors)


def callouts_send_due_batches(*, now=None) -> int:
    """Worker job: close call-outs that ran out of time, send the next batch where more donors are wanted."""
    now = now or timezone.now()
    CallOut.objects.filter(status=CallOut.Status.OPEN, come_by__lte=now).update(status=CallOut.Status.CLOSED)
    interval = timedelta(minutes=settings.CALLOUT_BATCH_INTERVAL_MINUTES)
    coming = CallOutResponse.objects.filter(call_out=OuterRef("pk"), answer=CallOutResponse.Answer.COMING)
    due = (
        CallOut.objects.filter(status=CallOut.Status.OPEN, exhausted=False)
        .filter(Q(last_batch_at__isnull=True) | Q(last_batch_at__lte=now - interval))
        .annotate(
            coming=Coalesce(
                Subquery(coming.values("call_out").annotate(n=Count("id")).values("n"), output_field=IntegerField()),
                Value(0),
            )
        )
        .filter(coming__lt=F("donors_wanted"))
    )
    return sum(call_out_send_batch(call_out=call_out, now=now) for call_out in due)


def call_out_why_not(*, call_out: CallOut, eligibility) -> list[str]:
    """Why the donor cannot give for this call-out by its come-by time (empty: they can), from their
    `donor_eligibility` today: one who may give again before the call-out's last day can come."""
    verdict = eligibility.for_type(call_out.donation_type)
    if verdict.eligible:
        return []
    if verdict.next_eligible_on is not None and verdict.next_eligible_on <= timezone.localdate(call_out.come_by):
        return []
    return list(verdict.reasons)


def call_out_answer(*, call_out: CallOut, donor, answer: str) -> CallOutResponse:
    """Record a donor's answer; a second answer replaces the first. "Coming" from a donor who cannot
    give by the come-by time is refused with the reasons: they would be counted and not bled.

    Race: a double tap sends two answers at once. INSERT ... ON CONFLICT DO UPDATE on the unique
    (call_out, donor) settles it in one statement: one row, the last answer.
    """
    if not CallOutRecipient.objects.filter(call_out=call_out, donor=donor).exists():
        raise PermissionDenied(_("This call-out was not sent to you."))
    if call_out.status != CallOut.Status.OPEN:
        raise Conflict(_("This call-out has ended. Thank you all the same."), code="call_out_closed")
    if answer == CallOutResponse.Answer.COMING:
        from dblood.donors.selectors import donor_eligibility

        reasons = call_out_why_not(
            call_out=call_out, eligibility=donor_eligibility(donor=donor, on=timezone.localdate())
        )
        if reasons:
            raise Conflict(
                _("You cannot give blood for this call-out yet. Thank you for wanting to help."),
                code="not_eligible",
                extra={"reasons": reasons},
            )
    CallOutResponse.objects.bulk_create(
        [CallOutResponse(call_out=call_out, donor=donor, answer=answer, answered_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["call_out", "donor"],
        update_fields=["answer", "answered_at"],
    )
    return CallOutResponse.objects.get(call_out=call_out, donor=donor)
