"""Transfusion reactions (ISBT/IHN): reported by the hospital against the unit(s) it transfused,
investigated and concluded by the issuing bank, which may trace the donor (lookback: the recall
mechanism) or defer them (TRALI, ...)."""

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from dblood.core.errors import Conflict
from dblood.inventory.models import BloodUnit
from dblood.notifications.models import Notification

from .alerts import alert_medical_officers
from .codes import ReactionCategory, ReactionSeverity
from .models import ReactionUnit, TransfusionReaction

S = BloodUnit.State
Status = TransfusionReaction.Status


def _record_transfused(*, units: list[BloodUnit], by) -> int | None:
    """A reaction means the units were (at least partly) transfused: an issued unit with no outcome
    yet gets the outcome `transfused`. A unit reported as not transfused is a 409. Returns the
    request the units were issued for, when they share one."""
    from dblood.requests.models import Allocation
    from dblood.requests.services import allocation_record_outcome
    from dblood.returns.models import UnitReturn

    # A unit handed back and awaiting the bank's inspection was not transfused, with or without an
    # allocation saying so: the bank's decision on it must find it still issued.
    returned = UnitReturn.objects.filter(unit__in=units, decision=UnitReturn.Decision.PENDING).values_list(
        "unit__donation__din", flat=True
    )
    for din in returned[:1]:
        raise Conflict(_("Unit %(din)s was reported as not transfused.") % {"din": din}, code="not_transfused")
    # Lock order as in requests: allocation rows (by id), then unit rows, then the request row.
    allocations = list(
        Allocation.objects.select_for_update()
        .select_related("request", "unit__donation")
        .filter(unit__in=units, status=Allocation.Status.ISSUED)
        .order_by("pk")
    )
    for allocation in allocations:
        if allocation.outcome == Allocation.Outcome.NOT_TRANSFUSED:
            raise Conflict(
                _("Unit %(din)s was reported as not transfused.") % {"din": allocation.unit.donation.din},
                code="not_transfused",
            )
        if not allocation.outcome:
            allocation_record_outcome(allocation=allocation, by=by, transfused=True)
    covered = {allocation.unit_id for allocation in allocations}
    from dblood.inventory.services import units_transition

    bare = [unit for unit in units if unit.pk not in covered and unit.state == S.ISSUED]
    units_transition(units=bare, to=S.TRANSFUSED, by=by, reason="Transfused (a reaction was reported).")
    requests = {allocation.request_id for allocation in allocations}
    return requests.pop() if len(requests) == 1 else None


@transaction.atomic
def reaction_report(
    *,
    by,
    unit_ids: list[int],
    category: str,
    severity: str,
    imputability: str,
    transfusion_started_at: datetime,
    onset_at: datetime,
    signs: list[str],
    note: str = "",
) -> TransfusionReaction:
    """Hospital staff report a reaction to units issued to their hospital (issued or transfused),
    all from one issuing bank. 400 naming the field for a unit that is not theirs or a time that
    cannot be; the issuing bank's medical officers are alerted."""
    if not by.is_hospital_staff:
        raise PermissionDenied(_("Only hospital staff may report a transfusion reaction."))
    ids = sorted(set(unit_ids))
    units = list(
        BloodUnit.objects.select_related("donation", "issued_to")
        .filter(pk__in=ids, issued_to_id__in=by.site_ids, state__in=(S.ISSUED, S.TRANSFUSED))
        .order_by("pk")
    )
    if len(units) != len(ids):
        missing = sorted(set(ids) - {unit.pk for unit in units})
        raise ValidationError(
            {"units": [_("No unit issued to your hospital has id %(ids)s.") % {"ids": ", ".join(map(str, missing))}]}
        )
    banks = {unit.site_id for unit in units}
    if len(banks) != 1:
        raise ValidationError({"units": [_("Report the units of each issuing blood bank separately.")]})
    now = timezone.now()
    if onset_at > now:
        raise ValidationError({"onset_at": [_("This time is in the future.")]})
    if transfusion_started_at > onset_at:
        raise ValidationError({"transfusion_started_at": [_("The transfusion started after the reaction began.")]})
    issued = min(unit.issued_at for unit in units if unit.issued_at) if any(u.issued_at for u in units) else None
    if issued is not None and transfusion_started_at < issued:
        raise ValidationError({"transfusion_started_at": [_("This is before the unit was issued.")]})
    request_id = _record_transfused(units=units, by=by)
    reaction = TransfusionReaction.objects.create(
        hospital_id=units[0].issued_to_id,
        bank_id=banks.pop(),
        request_id=request_id,
        category=category,
        severity=severity,
        imputability=imputability,
        transfusion_started_at=transfusion_started_at,
        onset_at=onset_at,
        minutes_from_start=int((onset_at - transfusion_started_at).total_seconds() // 60),
        signs=sorted(set(signs)),
        note=note.strip(),
        reported_at=now,
        reported_by=by,
    )
    ReactionUnit.objects.bulk_create([ReactionUnit(reaction=reaction, unit=unit) for unit in units])
    from dblood.audit.services import audit_creates

    audit_creates(instances=list(reaction.implicated.all()), actor=by)
    dins = ", ".join(f"{unit.donation.din} {unit.component}" for unit in units)
    reaction.alerted = alert_medical_officers(
        site_id=reaction.bank_id,
        kind=Notification.Kind.TRANSFUSION_REACTION,
        key=f"transfusion-reaction:{reaction.pk}",
        data={"reaction": reaction.pk},
        hospital=units[0].issued_to.name,
        category=ReactionCategory(category).label,
        severity=ReactionSeverity(severity).label,
        dins=dins,
    )
    reaction.save(update_fields=["alerted"])
    return reaction


def _lock(reaction: TransfusionReaction, by) -> TransfusionReaction:
    # Race: two bank staff moving one reaction at once (both concluding, one concluding while the
    # other starts the investigation). The row lock orders them; the second sees the first's status.
    locked = TransfusionReaction.objects.select_for_update().get(pk=reaction.pk)
    if locked.bank_id not in by.site_ids or not by.is_blood_bank_staff:
        raise PermissionDenied(_("Only staff of the issuing blood bank may investigate this reaction."))
    return locked


@transaction.atomic
def reaction_investigate(*, reaction: TransfusionReaction, by) -> TransfusionReaction:
    """The issuing bank takes the report up: REPORTED -> UNDER_INVESTIGATION (409 otherwise)."""
    locked = _lock(reaction, by)
    if locked.status != Status.REPORTED:
        raise Conflict(_("This reaction is already under investigation or concluded."), code="reaction_investigated")
    locked.status = Status.UNDER_INVESTIGATION
    locked.investigation_started_at, locked.investigation_started_by = timezone.now(), by
    locked.save(update_fields=["status", "investigation_started_at", "investigation_started_by"])
    return locked


@transaction.atomic
def reaction_conclude(
    *, reaction: TransfusionReaction, by, category: str, severity: str, imputability: str, conclusion: str
) -> TransfusionReaction:
    """The bank's conclusion: the reaction coded again after investigation, with the reasoning.
    Only a reaction under investigation; concluded once (409 `reaction_concluded`)."""
    locked = _lock(reaction, by)
    if locked.status == Status.CONCLUDED:
        raise Conflict(_("This reaction has already been concluded."), code="reaction_concluded")
    if locked.status != Status.UNDER_INVESTIGATION:
        raise Conflict(_("Start the investigation first."), code="reaction_not_investigated")
    conclusion = conclusion.strip()
    if not conclusion:
        raise ValidationError({"conclusion": [_("Write the conclusion.")]})
    locked.status = Status.CONCLUDED
    locked.concluded_category, locked.concluded_severity = category, severity
    locked.concluded_imputability, locked.conclusion = imputability, conclusion
    locked.concluded_at, locked.concluded_by = timezone.now(), by
    locked.save()
    return locked


def _implicated(locked: TransfusionReaction, unit_id: int) -> ReactionUnit:
    row = (
        ReactionUnit.objects.select_for_update(of=("self",))
        .select_related("unit__donation__donor")
        .filter(reaction=locked, unit_id=unit_id)
        .first()
    )
    if row is None:
        raise ValidationError({"unit": [_("This reaction does not implicate this unit.")]})
    if locked.status == Status.REPORTED:
        raise Conflict(_("Start the investigation first."), code="reaction_not_investigated")
    return row


@transaction.atomic
def reaction_lookback(*, reaction: TransfusionReaction, by, unit_id: int) -> ReactionUnit:
    """Trace the donor of an implicated unit (recalls.lookback_trace, the unit's own donation
    included): their units of the window leave the shelves, holding hospitals are told."""
    from dblood.recalls.services import lookback_trace

    locked = _lock(reaction, by)
    row = _implicated(locked, unit_id)
    if row.recall_id:
        raise Conflict(_("A lookback of this donor was already started."), code="lookback_started")
    row.recall = lookback_trace(donation=row.unit.donation, by=by, include_donation=True)
    row.save(update_fields=["recall"])
    return row


@transaction.atomic
def reaction_defer_donor(
    *, reaction: TransfusionReaction, by, unit_id: int, reason_code: str, ends_on: date | None = None, note: str = ""
) -> ReactionUnit:
    """Defer the donor of an implicated unit (TRALI: `trali-implicated`, for good) from the
    deferral catalogue; their booked appointments inside it are cancelled (donors.services)."""
    from dblood.donors.services import deferral_record

    locked = _lock(reaction, by)
    row = _implicated(locked, unit_id)
    if row.deferral_id:
        raise Conflict(_("The donor of this unit was already deferred for this reaction."), code="donor_deferred")
    text = f"Transfusion reaction {locked.pk} ({locked.category}), unit {row.unit.donation.din}. {note.strip()}"
    row.deferral = deferral_record(
        donor=row.unit.donation.donor, reason_code=reason_code, recorded_by=by, ends_on=ends_on, note=text.strip()
    )
    row.save(update_fields=["deferral"])
    return row
