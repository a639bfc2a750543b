"""Merging two records of one donor, and undoing it.

`donor_merge` moves the merged record's history (every relation in MOVED) to the survivor in one
transaction, fills the survivor's blank details (and its NIK) from the merged record, switches the
merged record's account off, and keeps a `DonorMerge` with the ids it moved and the values it
changed; `donor_merge_undo` puts all of it back. Both are audited (the Donor, DonorMerge and
Deferral rows through the audit log).

Every foreign key to Donor or to the account (User) is named here, in MOVED or in KEPT with the
reason it stays: `dblood/donors/tests/test_merge.py` fails for a new one until someone decides.

Races: both records are locked (in id order, so two merges of one pair in opposite directions
cannot deadlock) before anything is read; the second of two simultaneous merges then finds the
record merged and is refused. The partial unique index on DonorMerge.merged is the backstop.
"""

import json

from django.apps import apps
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from dblood.audit.services import audit_snapshot, audit_updates
from dblood.core.errors import Conflict

from .models import Deferral, Donor, DonorMerge

# 'app.Model.field' -> the fields that, with the record, must stay unique: a row of the merged record
# that would repeat one of the survivor's stays where it is (the survivor was asked, or told, already).
MOVED: dict[str, tuple[str, ...]] = {
    "donations.Donation.donor": (),
    "donors.Deferral.donor": (),
    "drives.Appointment.donor": (),  # an active one on a day the survivor has one: refused (see _check)
    "requests.CallOutRecipient.donor": ("call_out_id",),
    "requests.CallOutResponse.donor": ("call_out_id",),
    "notifications.Notification.user": ("dedupe_key",),
    # A milestone the survivor holds already keeps the survivor's certificate. A milestone the merged
    # history only now reaches is awarded at the survivor's next donation, not here: an undo would
    # leave a publicly checkable certificate for donations that are no longer the survivor's.
    "donations.MilestoneCertificate.donor": ("milestone",),
}

# Relations a merge leaves where they are, and why.
KEPT: dict[str, str] = {
    "donors.Donor.user": "each record keeps its account; the merged record's is switched off",
    "donors.Donor.merged_into": "the merge's own mark",
    "donors.DonorMerge.survivor": "the merge's own record",
    "donors.DonorMerge.merged": "the merge's own record",
    "donors.DuplicatePair.first": "the pair reviewed; no longer open once one record is merged",
    "donors.DuplicatePair.second": "the pair reviewed; no longer open once one record is merged",
    "accounts.Membership.user": "a staff account's sites, not a donor's history",
    "accounts.ApiToken.user": "the merged account's sign-ins end with the account",
    "accounts.KnownAddress.user": "the merged account's sign-ins end with the account",
    "admin.LogEntry.user": "who did what in the admin",
    "audit.AuditEvent.actor": "who did what: the log is never rewritten",
    "accounts.User_groups.user": "the account's admin permissions",
    "accounts.User_user_permissions.user": "the account's admin permissions",
}
# OAuth2 (django-oauth-toolkit, the FHIR endpoint's hospital clients): a service account's, never a donor's.
KEPT.update(
    {
        f"oauth2_provider.{model}.user": "a hospital system's OAuth2 client and its tokens, not a donor's history"
        for model in ("Application", "Grant", "AccessToken", "RefreshToken", "IDToken", "DeviceGrant")
    }
)
# Who recorded, collected, reserved, sent, ...: a staff member's act, never a donor's history.
ACTOR = "who acted (staff), not the donor's history"
KEPT.update(
    {
        "donors.Donor.nik_verified_by": ACTOR,
        "donors.Deferral.recorded_by": ACTOR,
        "donors.Deferral.lifted_by": ACTOR,
        "donors.DonorMerge.by": ACTOR,
        "donors.DonorMerge.undone_by": ACTOR,
        "drives.Drive.created_by": ACTOR,
        "drives.Appointment.checked_in_by": ACTOR,
        "donations.Donation.collected_by": ACTOR,
        "donations.Donation.typed_by": ACTOR,
        "donations.ScreeningResult.recorded_by": ACTOR,
        "inventory.UnitEvent.by": ACTOR,
        "inventory.Transfer.requested_by": ACTOR,
        "inventory.Transfer.sent_by": ACTOR,
        "inventory.Transfer.received_by": ACTOR,
        "inventory.LabelPrint.by": ACTOR,
        "inventory.LabelVerification.by": ACTOR,
        "requests.BloodRequest.created_by": ACTOR,
        "requests.Allocation.reserved_by": ACTOR,
        "requests.CallOut.started_by": ACTOR,
        "recalls.Recall.opened_by": ACTOR,
        "recalls.Recall.closed_by": ACTOR,
        "returns.UnitReturn.returned_by": ACTOR,
        "returns.UnitReturn.decided_by": ACTOR,
        "haemovigilance.DonorComplication.reported_by": ACTOR,
        "haemovigilance.DonorComplication.recorded_by": ACTOR,
        "haemovigilance.DonorComplication.updated_by": ACTOR,
        "haemovigilance.TransfusionReaction.reported_by": ACTOR,
        "haemovigilance.TransfusionReaction.investigation_started_by": ACTOR,
        "haemovigilance.TransfusionReaction.concluded_by": ACTOR,
        "reports.ReportDownload.by": ACTOR,
        "sites.ProcessingFee.updated_by": ACTOR,
        "requests.ReplacementCode.issued_by": ACTOR,
        "relay.Message.sender": "who wrote: the conversation stays with the call-out answer it is about",
        "fhir.FhirInteraction.user": ACTOR,
        "coldchain.TemperatureReading.recorded_by": ACTOR,
        "coldchain.Excursion.closed_by": ACTOR,
        "coldchain.ExcursionUnit.decided_by": ACTOR,
        "coldchain.UnitMove.by": ACTOR,
        "coldchain.Reconciliation.by": ACTOR,
        "coldchain.ReconciliationItem.resolved_by": ACTOR,
    }
)

# The survivor's details filled from the merged record where the survivor has none.
FILLED = ("birth_date", "sex", "weight_kg", "phone", "city", "province", "latitude", "longitude")
GROUP = ("abo", "rhd", "group_confirmed", "group_flagged")
NIK = ("nik_ciphertext", "nik_hash", "nik_verified_at", "nik_verified_by_id")


def relation_is_handled(label: str) -> bool:
    return label in MOVED or label in KEPT


def _model_and_field(label: str):
    app_model, field = label.rsplit(".", 1)
    return apps.get_model(app_model), field


def _owner(record: Donor, model) -> int:
    """The id a row of `model` points at for `record`: the donor's, or its account's."""
    return record.user_id if model._meta.label == "notifications.Notification" else record.pk


def _refuse_if_cannot(survivor: Donor, merged: Donor) -> None:
    if survivor.pk == merged.pk:
        raise ValidationError({"merged": [_("A record cannot be merged with itself.")]})
    for record in (survivor, merged):
        if record.merged_into_id is not None:
            raise Conflict(
                _("Donor record %(number)s is already merged into another record.") % {"number": record.donor_number},
                code="already_merged",
            )
    if survivor.nik_hash and merged.nik_hash:
        raise Conflict(_("The two records have different NIKs: they are two people."), code="different_nik")
    if survivor.group_confirmed and merged.group_confirmed and (survivor.abo, survivor.rhd) != (merged.abo, merged.rhd):
        raise Conflict(
            _("The lab confirmed different blood groups for the two records: they are two people."),
            code="different_blood_group",
        )
    appointment = apps.get_model("drives", "Appointment")
    active = ["booked", "checked_in"]
    days = set(appointment.objects.filter(donor=survivor, status__in=active).values_list("date", flat=True))
    clash = appointment.objects.filter(donor=merged, status__in=active, date__in=days).order_by("date").first()
    if clash is not None:
        raise Conflict(
            _("Both records have an appointment on %(date)s: cancel one first.") % {"date": clash.date.isoformat()},
            code="appointment_clash",
        )


def _lock(*donors: Donor) -> dict[int, Donor]:
    ids = sorted({donor.pk for donor in donors})
    locked = Donor.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {donor.pk: donor for donor in locked.select_related("user")}


def _move(label: str, unique: tuple[str, ...], *, source: Donor, target: Donor, ids=None) -> list[int]:
    """Point `source`'s rows of `label` at `target` (only `ids` if given); returns the ids moved."""
    model, field = _model_and_field(label)
    column = f"{field}_id"
    rows = model.objects.filter(**{column: _owner(source, model)})
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    if unique:
        taken = set(model.objects.filter(**{column: _owner(target, model)}).values_list(*unique))
        moved = [pk for pk, *key in rows.values_list("pk", *unique) if tuple(key) not in taken]
    else:
        moved = list(rows.values_list("pk", flat=True))
    if not moved:
        return []
    if model is Deferral:  # audited: one log row per deferral that changed hands
        locked = list(Deferral.objects.select_for_update().filter(pk__in=moved))
        before = {row.pk: audit_snapshot(row) for row in locked}
        Deferral.objects.filter(pk__in=moved).update(donor_id=target.pk)
        for row in locked:
            row.donor_id = target.pk
        audit_updates(before=before, instances=locked)
    else:
        model.objects.filter(pk__in=moved).update(**{column: _owner(target, model)})
    return moved


def _values(record: Donor, attnames) -> dict:
    """The fields' values as JSON (kept in the merge record for its undo)."""
    return {name: json.loads(json.dumps(getattr(record, name), cls=DjangoJSONEncoder)) for name in attnames}


@transaction.atomic
def donor_merge(*, survivor: Donor, merged: Donor, by) -> DonorMerge:
    """Fold `merged` into `survivor` (see the module's docstring)."""
    locked = _lock(survivor, merged)
    survivor, merged = locked[survivor.pk], locked[merged.pk]
    _refuse_if_cannot(survivor, merged)

    moved = {}
    for label, unique in MOVED.items():
        ids = _move(label, unique, source=merged, target=survivor)
        if ids:
            moved[label] = ids

    changed = [
        name for name in FILLED if getattr(survivor, name) in (None, "") and getattr(merged, name) not in (None, "")
    ]
    if merged.group_confirmed and not survivor.group_confirmed:
        changed += GROUP
    if merged.nik_hash and not survivor.nik_hash:
        changed += NIK
    survivor_before = _values(survivor, [Donor._meta.get_field(n).attname for n in changed])
    nik_moves = bool(set(NIK) & set(changed))
    merged_before = _values(merged, ["merged_into_id", *(NIK if nik_moves else ())])
    merged_before["user.is_active"] = merged.user.is_active

    nik_values = {name: getattr(merged, name) for name in NIK}
    if nik_moves:
        # The NIK is unique: off the merged record before it is on the survivor.
        merged.nik_ciphertext, merged.nik_hash, merged.nik_verified_at, merged.nik_verified_by_id = "", None, None, None
    merged.merged_into = survivor
    merged.save()
    for name in changed:
        setattr(survivor, name, nik_values[name] if name in NIK else getattr(merged, name))
    survivor.save()  # also drops both donors' cached eligibility answers
    if merged.user.is_active:
        merged.user.is_active = False
        merged.user.save(update_fields=["is_active"])
    return DonorMerge.objects.create(
        survivor=survivor,
        merged=merged,
        by=by,
        moved=moved,
        survivor_before=survivor_before,
        merged_before=merged_before,
    )


@transaction.atomic
def donor_merge_undo(*, merge: DonorMerge, by) -> DonorMerge:
    """Put back what `merge` moved and changed; rows made since stay with the survivor."""
    merge = DonorMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Conflict(_("This merge has already been undone."), code="already_undone")
    locked = _lock(merge.survivor, merge.merged)
    survivor, merged = locked[merge.survivor_id], locked[merge.merged_id]
    if survivor.merged_into_id is not None:
        raise Conflict(
            _("The surviving record has since been merged into another: undo that merge first."),
            code="survivor_merged",
        )
    for label, ids in merge.moved.items():
        _move(label, MOVED.get(label, ()), source=survivor, target=merged, ids=ids)
    for attname, value in merge.survivor_before.items():
        setattr(survivor, attname, Donor._meta.get_field(attname.removesuffix("_id")).to_python(value))
    # The NIK goes back to the merged record: off the survivor first (unique).
    survivor.save()
    for attname, value in merge.merged_before.items():
        if attname != "user.is_active":
            setattr(merged, attname, Donor._meta.get_field(attname.removesuffix("_id")).to_python(value))
    merged.save()
    if merge.merged_before.get("user.is_active") and not merged.user.is_active:
        merged.user.is_active = True
        merged.user.save(update_fields=["is_active"])
    merge.undone_at, merge.undone_by = timezone.now(), by
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge
