"""Writes for hospital requests: create, reserve (allocate), issue, cancel, transfusion outcome.

Unit states change only through `inventory.services.units_transition` (many units in a few
statements). Locking order, everywhere: the request row first, then unit rows in id order — so two
clerks never deadlock.
"""

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from dblood.accounts.models import User
from dblood.audit.services import audit_creates
from dblood.core.blood import Component
from dblood.core.errors import Conflict
from dblood.inventory.models import BloodUnit
from dblood.inventory.services import unit_transition, units_transition
from dblood.inventory.transfers import transfers_request, transfers_unreserve
from dblood.notifications.messages import URGENCY, notify, notify_staff
from dblood.notifications.models import Notification
from dblood.sites.fees import fees_of
from dblood.sites.models import Site

from .barriers import issue_check
from .models import Allocation, BloodRequest
from .overrides import override_refusal, unit_suits
from .selectors import best_units_locked, requests_visible_to


def _require_bank_staff(user, blood_request: BloodRequest) -> None:
    if not (user.is_admin or (user.is_blood_bank_staff and blood_request.target_bank_id in user.site_ids)):
        raise PermissionDenied(_("Only staff of the request's blood bank may do this."))


NOT_OPEN = {
    BloodRequest.Status.ISSUED: _("Every unit of this request has been issued."),
    BloodRequest.Status.CLOSED: _("This request is closed."),
    BloodRequest.Status.CANCELLED: _("This request is cancelled."),
}


def require_open(blood_request: BloodRequest) -> None:
    """409 `request_not_open` unless units may still be offered, reserved or issued for the request."""
    if blood_request.status not in BloodRequest.OPEN:
        raise Conflict(
            NOT_OPEN[blood_request.status], code="request_not_open", extra={"request_status": blood_request.status}
        )


def request_create(*, by, hospital: Site, target_bank: Site, **fields) -> BloodRequest:
    if not (by.is_admin or hospital.pk in by.site_ids):
        raise PermissionDenied(_("You may only request blood for your own hospital."))
    if fields["needed_by"] <= timezone.now():
        raise ValidationError({"needed_by": [_("Must be in the future.")]})
    blood_request = BloodRequest.objects.create(created_by=by, hospital=hospital, target_bank=target_bank, **fields)
    transaction.on_commit(lambda: _tell_bank_of_request(blood_request))
    return blood_request


def _tell_bank_of_request(blood_request: BloodRequest) -> None:
    """The target bank's staff hear of a new request at once (in-app; e-mail by the worker)."""
    notify_staff(
        site_id=blood_request.target_bank_id,
        role=User.Role.BLOOD_BANK_STAFF,
        kind=Notification.Kind.REQUEST_NEW,
        key=f"request-new:{blood_request.pk}",
        data={"request": blood_request.pk, "urgency": blood_request.urgency},
        id=blood_request.pk,
        urgency=URGENCY.get(blood_request.urgency, blood_request.urgency),
        units=blood_request.units,
        component=blood_request.component,
        group=f"{blood_request.patient_abo}{blood_request.patient_rhd}",
        hospital=blood_request.hospital.name,
        needed_by=timezone.localtime(blood_request.needed_by).strftime("%Y-%m-%d %H:%M"),
    )


def _tell_holders_of_transfers(*, transfers: list, to_site: Site) -> None:
    """Each bank holding a unit reserved for another bank's request is asked to send it."""
    for transfer in transfers:
        unit = BloodUnit.objects.select_related("donation").get(pk=transfer.unit_id)
        notify_staff(
            site_id=transfer.from_site_id,
            role=User.Role.BLOOD_BANK_STAFF,
            kind=Notification.Kind.TRANSFER_REQUESTED,
            key=f"transfer-requested:{transfer.pk}",
            data={"transfer": transfer.pk, "unit": unit.pk, "to_site": to_site.pk},
            din=unit.donation.din,
            component=unit.component,
            bank=to_site.name,
        )


def _status_for(blood_request: BloodRequest, *, reserved: int, issued: int) -> str:
    if issued >= blood_request.units:
        return BloodRequest.Status.ISSUED
    if reserved + issued >= blood_request.units:
        return BloodRequest.Status.ALLOCATED
    if reserved + issued:
        return BloodRequest.Status.PARTLY_ALLOCATED
    return BloodRequest.Status.SUBMITTED


# Written out: the ORM's aggregate() cost 0.6 ms of CPU to build, the statement itself 0.1 ms.
_COUNTS = "SELECT count(*) FILTER (WHERE status = %s), count(*) FILTER (WHERE status = %s), count(*) FROM {table}"
_COUNTS = _COUNTS.format(table=Allocation._meta.db_table) + " WHERE request_id = %s"


def _active_counts(blood_request: BloodRequest) -> dict[str, int]:
    """How many of the request's allocations are reserved and issued, and how many there are in all
    (released ones too) (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS, [Allocation.Status.RESERVED, Allocation.Status.ISSUED, blood_request.pk])
        reserved, issued, total = cursor.fetchone()
    return {"reserved": reserved, "issued": issued, "total": total}


def _set_status(blood_request: BloodRequest, status: str) -> None:
    if status != blood_request.status:
        blood_request.status = status
        blood_request.save(update_fields=["status", "updated_at"])


def _refresh_status(blood_request: BloodRequest) -> None:
    counts = _active_counts(blood_request)
    _set_status(blood_request, _status_for(blood_request, reserved=counts["reserved"], issued=counts["issued"]))


def _lock_request(blood_request: BloodRequest, *, visible_to=None) -> BloodRequest:
    """Read and lock the request row. With `visible_to`, through what that user may see: a request
    they cannot see is a 404, as if it did not exist (the caller need not read it first)."""
    # Only the request row is locked (`of`): the hospital and bank rows are read, not held.
    # The visibility filter only: none of its joins (the creator is not needed, and each join costs planning).
    rows = BloodRequest.objects if visible_to is None else requests_visible_to(visible_to).select_related(None)
    try:
        locked = rows.select_for_update(of=("self",)).select_related("hospital", "target_bank").get(pk=blood_request.pk)
    except BloodRequest.DoesNotExist as exc:
        raise NotFound(_("No such request.")) from exc
    return locked


def _reserve(
    *,
    locked: BloodRequest,
    units: list[BloodUnit],
    counts: dict[str, int],
    by,
    override_reason: str,
    override_acknowledged: bool = False,
) -> list:
    """Reserve `units` (read with select_for_update just now, and checked) for the locked request:
    the same statements for 1 or 50 units. A unit on another bank's shelf is reserved there and a
    transfer to the issuing bank is requested for it (that bank dispatches it; it is issued only
    once it has been booked in here)."""
    units_transition(
        units=units, to=BloodUnit.State.RESERVED, by=by, reason=f"request {locked.pk}", already_locked=True
    )
    elsewhere = [unit for unit in units if unit.site_id != locked.target_bank_id]
    transfers = transfers_request(units=elsewhere, to_site_id=locked.target_bank_id, by=by) if elsewhere else {}
    if transfers:
        target, asked = locked.target_bank, list(transfers.values())
        transaction.on_commit(lambda: _tell_holders_of_transfers(transfers=asked, to_site=target))
    rows = []
    for unit in units:
        note = _override_note(locked, unit, override_reason)
        rows.append(
            Allocation(
                request=locked,
                unit=unit,
                reserved_by=by,
                override_reason=note,
                override_acknowledged=bool(note) and override_acknowledged,
                transfer=transfers.get(unit.pk),
            )
        )
    try:
        # No savepoint: on a violation the whole reservation is undone anyway (the Conflict leaves
        # the caller's transaction.atomic, which rolls back), and no statement runs in between.
        allocations = Allocation.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise Conflict(_("A unit is already allocated to another request."), code="unit_taken") from exc
    # Every override is in the audit log: who reserved which unit for which request, and why.
    audit_creates(instances=[a for a in allocations if a.override_reason], actor=by)
    _set_status(locked, _status_for(locked, reserved=counts["reserved"] + len(units), issued=counts["issued"]))
    return allocations


@transaction.atomic
def allocation_reserve(
    *,
    blood_request: BloodRequest,
    unit_ids: list[int],
    by,
    override_reason: str = "",
    override_acknowledged: bool = False,
) -> list:
    """Reserve these units for the request, or nothing (409) if any cannot be.

    Race: two clerks reserving one unit for two requests. The unit rows are locked (in id order)
    before they are checked, so the second clerk sees RESERVED (409); the partial unique constraint
    on active allocations is the last word if anything bypasses it.
    """
    _require_bank_staff(by, blood_request)
    locked = _lock_request(blood_request)
    require_open(locked)
    counts = _active_counts(locked)
    active = counts["reserved"] + counts["issued"]
    if active + len(unit_ids) > locked.units:
        raise Conflict(
            _("The request needs %(needed)d more unit(s); %(given)d were given.")
            % {"needed": locked.units - active, "given": len(unit_ids)},
            code="too_many_units",
        )
    units = list(BloodUnit.objects.select_for_update().filter(pk__in=unit_ids).order_by("pk"))
    missing = set(unit_ids) - {unit.pk for unit in units}
    if missing:
        raise ValidationError({"units": [_("Unknown unit(s): %(units)s.") % {"units": sorted(missing)}]})
    for unit in units:
        _check_unit(locked, unit, override_reason, override_acknowledged)
    allocations = _reserve(
        locked=locked,
        units=units,
        counts=counts,
        by=by,
        override_reason=override_reason,
        override_acknowledged=override_acknowledged,
    )
    blood_request.status = locked.status
    return allocations


def _override_note(blood_request: BloodRequest, unit: BloodUnit, override_reason: str) -> str:
    return "" if unit_suits(blood_request, unit) else override_reason


def _check_unit(
    blood_request: BloodRequest, unit: BloodUnit, override_reason: str, override_acknowledged: bool
) -> None:
    if unit.component != blood_request.component:
        raise Conflict(
            _("Unit %(unit)s is %(component)s, the request is for %(wanted)s.")
            % {"unit": unit.pk, "component": unit.component, "wanted": blood_request.component}
        )
    if unit.state != BloodUnit.State.AVAILABLE:
        raise Conflict(
            _("Unit %(unit)s is %(state)s, not available.")
            % {"unit": unit.pk, "state": unit.get_state_display().lower()},
            code="unit_not_available",
        )
    if unit.expires_at <= timezone.now():
        raise Conflict(_("Unit %(unit)s has expired.") % {"unit": unit.pk}, code="unit_expired")
    refusal = override_refusal(
        blood_request=blood_request, unit=unit, reason=override_reason, acknowledged=override_acknowledged
    )
    if refusal:
        raise Conflict(refusal.detail, code=refusal.code, extra={"unit": unit.pk})


@transaction.atomic
def allocation_auto(*, blood_request: BloodRequest, by) -> list:
    """Reserve the best proposed units until the request is covered, as far as stock allows.

    `blood_request` may be a bare reference (`BloodRequest(pk=...)`): the row is read, locked and
    checked here, through what `by` may see (404 otherwise). The allocations carry the locked
    request (`allocation.request`, with its hospital and bank, and, when these are its only
    allocations, them as prefetched `allocations`) and their units with their donations.

    Race: clerks allocating for several requests at once. The proposal is read with FOR UPDATE SKIP
    LOCKED, so units another clerk is reserving right now are skipped, not waited for, and a unit
    reserved and committed meanwhile no longer matches `state = 'available'` when its lock is taken.
    One statement picks and locks the units, whatever their number.
    """
    locked = _lock_request(blood_request, visible_to=by)
    _require_bank_staff(by, locked)
    require_open(locked)
    counts = _active_counts(locked)
    wanted = locked.units - counts["reserved"] - counts["issued"]
    units = []
    if wanted > 0:
        units = best_units_locked(blood_request=locked, limit=wanted)
    if not units:
        raise Conflict(_("No compatible unit is available for this request."), code="no_stock")
    allocations = _reserve(locked=locked, units=units, counts=counts, by=by, override_reason="")
    if not counts["total"]:
        # The request had no allocation before these: its allocations are known, so the answer is
        # rendered from `allocations[0].request` without reading anything back.
        locked._prefetched_objects_cache = {"allocations": allocations}
    blood_request.status = locked.status
    return allocations


@transaction.atomic
def request_issue(*, blood_request: BloodRequest, by, unit_ids: list[int] | None = None) -> list:
    """Issue reserved units to the hospital: units ISSUED, allocations issued, donors told where."""
    _require_bank_staff(by, blood_request)
    locked = _lock_request(blood_request)
    require_open(locked)
    reserved = {a.unit_id: a for a in locked.allocations.filter(status=Allocation.Status.RESERVED)}
    chosen = list(reserved) if unit_ids is None else unit_ids
    strangers = [pk for pk in chosen if pk not in reserved]
    if strangers:
        raise Conflict(
            _("Unit(s) %(units)s are not reserved for this request.") % {"units": strangers}, code="not_reserved"
        )
    if not chosen:
        raise Conflict(_("Nothing is reserved for this request."), code="not_reserved")
    now = timezone.now()
    issued = [reserved[pk] for pk in sorted(set(chosen))]
    # Every barrier again, on the unit rows as locked now (id order), with their donations' results.
    units = (
        BloodUnit.objects.select_for_update(of=("self",))
        .filter(pk__in=[a.unit_id for a in issued])
        .select_related("donation__donor__user")
        .prefetch_related("donation__screening_results")
        .order_by("pk")
    )
    for unit in units:
        allocation = reserved[unit.pk]
        allocation.unit = unit
        issue_check(blood_request=locked, allocation=allocation, unit=unit, now=now)
    units_transition(
        units=[allocation.unit for allocation in issued],
        to=BloodUnit.State.ISSUED,
        by=by,
        reason=f"request {locked.pk}",
        issued_to=locked.hospital,
        issued_at=now,
        already_locked=True,
    )
    # The issuing bank's published fee for each bag, kept on the allocation as it is now.
    fees = fees_of(locked.target_bank_id)
    by_fee: dict[int | None, list[int]] = {}
    for allocation in issued:
        allocation.processing_fee_idr = fees.get(allocation.unit.component)
        by_fee.setdefault(allocation.processing_fee_idr, []).append(allocation.pk)
    for fee, pks in by_fee.items():
        Allocation.objects.filter(pk__in=pks).update(
            status=Allocation.Status.ISSUED, issued_at=now, processing_fee_idr=fee
        )
    for allocation in issued:
        allocation.status = Allocation.Status.ISSUED
        allocation.issued_at = now
        _tell_donor(allocation.unit, locked.hospital)
    _refresh_status(locked)
    blood_request.status = locked.status
    return issued


def _tell_donor(unit: BloodUnit, hospital: Site) -> None:
    """Where my blood went: the hospital's name, never the patient."""
    donation = unit.donation
    user = donation.donor.user
    notify(
        user=user,
        kind=Notification.Kind.UNIT_ISSUED,
        key=f"unit_issued:{unit.pk}",
        data={"donation": donation.pk, "unit": unit.pk, "hospital": hospital.name, "component": unit.component},
        date=timezone.localtime(donation.collected_at).date().isoformat(),
        component=Component(unit.component).label,  # lazy: in each language the message is written in
        hospital=hospital.name,
    )


@transaction.atomic
def request_cancel(*, blood_request: BloodRequest, by, reason: str = "") -> BloodRequest:
    """Cancel an open request; reserved units go back on the shelf (issued ones stay issued)."""
    allowed = (
        by.is_admin
        or (by.is_hospital_staff and blood_request.hospital_id in by.site_ids)
        or (by.is_blood_bank_staff and blood_request.target_bank_id in by.site_ids)
    )
    if not allowed:
        raise PermissionDenied(_("Only the requesting hospital or the blood bank may cancel."))
    locked = _lock_request(blood_request)
    require_open(locked)
    now = timezone.now()
    held = list(locked.allocations.filter(status=Allocation.Status.RESERVED).select_related("unit"))
    # A unit already on its way here goes on, and arrives as ordinary stock; the others go back on their shelf.
    on_shelf = [a.unit for a in held if a.unit.state != BloodUnit.State.IN_TRANSIT]
    units_transition(units=on_shelf, to=BloodUnit.State.AVAILABLE, by=by, reason=f"request {locked.pk} cancelled")
    transfers_unreserve(unit_ids=[a.unit_id for a in held if a.transfer_id])
    Allocation.objects.filter(pk__in=[a.pk for a in held]).update(status=Allocation.Status.RELEASED, released_at=now)
    locked.status = BloodRequest.Status.CANCELLED
    locked.cancel_reason = reason
    locked.save(update_fields=["status", "cancel_reason", "updated_at"])
    locked.call_outs.filter(status="open").update(status="closed")
    blood_request.status = locked.status
    return locked


@transaction.atomic
def allocation_record_outcome(*, allocation: Allocation, by, transfused: bool, reaction: str = "") -> Allocation:
    """The hospital reports what became of an issued unit; when all are reported the request closes."""
    blood_request = allocation.request
    if not (by.is_admin or (by.is_hospital_staff and blood_request.hospital_id in by.site_ids)):
        raise PermissionDenied(_("Only the hospital that received the unit may report its outcome."))
    locked = Allocation.objects.select_for_update().select_related("unit").get(pk=allocation.pk)
    if locked.status != Allocation.Status.ISSUED:
        raise Conflict(_("Only an issued unit has a transfusion outcome."), code="not_issued")
    if locked.outcome:
        raise Conflict(_("The outcome of this unit is already recorded."), code="outcome_recorded")
    if transfused:
        unit_transition(unit=locked.unit, to=BloodUnit.State.TRANSFUSED, by=by, reason=reaction[:200])
    locked.outcome = Allocation.Outcome.TRANSFUSED if transfused else Allocation.Outcome.NOT_TRANSFUSED
    locked.reaction = reaction
    locked.outcome_at = timezone.now()
    locked.save(update_fields=["outcome", "reaction", "outcome_at"])
    request_row = BloodRequest.objects.select_for_update().get(pk=blood_request.pk)
    pending = request_row.allocations.filter(status=Allocation.Status.ISSUED, outcome="").exists()
    if request_row.status == BloodRequest.Status.ISSUED and not pending:
        request_row.status = BloodRequest.Status.CLOSED
        request_row.save(update_fields=["status", "updated_at"])
    return locked


def allocations_withdraw(*, unit_ids: list[int]) -> list[int]:
    """End the reservations of these units (a lookback is taking them off the shelf): their
    allocations are released and each request's status follows. Returns the units withdrawn.

    Called inside the caller's transaction *before* it locks the units, keeping the locking order
    (request rows first, then unit rows); the caller moves the units itself.
    """
    reserved = Allocation.objects.filter(unit_id__in=unit_ids, status=Allocation.Status.RESERVED)
    request_ids = sorted(set(reserved.values_list("request_id", flat=True)))
    if not request_ids:
        return []
    locked = list(BloodRequest.objects.select_for_update().filter(pk__in=request_ids).order_by("pk"))
    held = list(reserved.values_list("pk", "unit_id", "transfer_id"))
    Allocation.objects.filter(pk__in=[pk for pk, _unit, _transfer in held]).update(
        status=Allocation.Status.RELEASED, released_at=timezone.now()
    )
    transfers_unreserve(unit_ids=[unit for _pk, unit, transfer in held if transfer])
    for blood_request in locked:
        _refresh_status(blood_request)
    return sorted(unit for _pk, unit, _transfer in held)
