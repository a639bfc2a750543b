"""Two-scan label verification: staff scan a unit's printed label, the DIN barcode (001) and the
product barcode (003), and the api checks both against the unit (docs/domain.md "ISBT 128 data
structures"). Scanning the label itself, not typing what is on the bag, is what catches a label
stuck on the wrong bag or printed for another product of the same donation.

Every attempt is recorded, matched or not (`LabelVerification`, with an audit event): a mismatch is
evidence, so its record is committed even though the caller answers 409.

The gate (`refuse_unchecked`, applied by `services.units_transition` to every state change): a unit
enters stock, from quarantine on release or from the road on receipt of a transfer, only with a
matched check of its current label made since it entered that state; and a unit leaves for another
bank only with a current printed label (the one the receiving bank scans). The lab's release
therefore leaves a released donation's units in quarantine, awaiting their label check: the final
label (no QUARANTINE mark) is printed, both barcodes are scanned, and the matched check releases the
unit in the same transaction (`label_verify`).
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

from dblood.core import isbt
from dblood.core.errors import Conflict

from .labels import CanPrintLabel, label_for
from .models import BloodUnit, LabelPrint, LabelVerification

DIN_FIELD, PRODUCT_FIELD = "din", "product_code"


class CanVerifyLabel(CanPrintLabel):
    """Whoever may print a unit's label may check it: staff of the holding bank, and administrators."""

    message = gettext_lazy("Only staff of the blood bank holding the unit, or an administrator, may verify its label.")


def _barcode(value: str, *, field: str, structure: str, identifier: str) -> isbt.Scan:
    """The scan of one barcode: it must carry its data identifier (a scanner sends it; a person
    typing what they read does not), else a 400 naming `field`."""
    text = "".join(str(value).split())
    if text and not text.startswith(identifier):
        raise ValidationError({field: [_("Scan the barcode on the printed label: typed data does not verify it.")]})
    return isbt.scanned(text, field=field, expect=structure, require=(structure,))


def read_label_scans(din_scan: str, product_scan: str, *, prefix: str = "") -> tuple[isbt.Scan, isbt.Scan]:
    """The DIN (001) and product (003) barcodes scanned off a printed label; a 400 naming the field
    (`prefix` + din / product_code) when either is not a scan of its kind."""
    din = _barcode(din_scan, field=prefix + DIN_FIELD, structure=isbt.DIN, identifier="=")
    product = _barcode(product_scan, field=prefix + PRODUCT_FIELD, structure=isbt.PRODUCT_CODE, identifier="=<")
    return din, product


S = BloodUnit.State
# (from, to) moves that put a unit into stock: each needs a matched check of its current label.
INTO_STOCK = frozenset({(S.QUARANTINED, S.AVAILABLE), (S.IN_TRANSIT, S.AVAILABLE), (S.IN_TRANSIT, S.RESERVED)})


def printed_scans(printed: LabelPrint) -> dict[str, str]:
    """What a scanner reads off this print's DIN (001, with its flags) and product (003) barcodes,
    keyed as the api's scan fields are."""
    return {
        DIN_FIELD: isbt.din_data(printed.content["din"], printed.content["flags"]),
        PRODUCT_FIELD: isbt.product_data(printed.content["product_code"]),
    }


def current_print(unit: BloodUnit, prints: list[LabelPrint]) -> LabelPrint | None:
    """The unit's last print if that label still says what the unit is (`prints` in print order;
    the unit's donation and its site loaded); None when never printed or out of date."""
    if not prints:
        return None
    try:
        return prints[-1] if label_for(unit).content() == prints[-1].content else None
    except Conflict:  # past its expiry: no label of it holds
        return None


def label_checked(unit: BloodUnit, prints: list[LabelPrint], checks: list[LabelVerification], *, since=None) -> bool:
    """Whether the unit's current label was scanned and matched (at or after `since`, when given)."""
    last = current_print(unit, prints)
    return last is not None and any(
        check.matched and check.label_print_id == last.pk and (since is None or check.at >= since) for check in checks
    )


def _with_labels(ids: list[int]) -> list[BloodUnit]:
    return list(
        BloodUnit.objects.filter(pk__in=ids)
        .select_related("donation__site")
        .prefetch_related(
            Prefetch("label_prints", queryset=LabelPrint.objects.order_by("at", "id")),
            "label_verifications",
        )
        .order_by("pk")
    )


def refuse_unchecked(units: list[BloodUnit], to: str) -> None:
    """The gate, for `services.units_transition` (rows locked, states not yet changed): a 409 naming
    the units that would enter stock without a matched label check since they entered their present
    state, or leave for another bank without a current printed label. Queries only for the moves it
    guards: the units with their prints and checks."""
    entering = [unit.pk for unit in units if (unit.state, to) in INTO_STOCK]
    leaving = [unit.pk for unit in units if to == S.IN_TRANSIT]
    if entering:
        unchecked = [
            unit.pk
            for unit in _with_labels(entering)
            if not label_checked(
                unit, list(unit.label_prints.all()), list(unit.label_verifications.all()), since=unit.state_changed_at
            )
        ]
        if unchecked:
            raise Conflict(
                _(
                    "Unit(s) %(units)s may not enter stock before their printed label is checked: scan its DIN "
                    "and product barcodes."
                )
                % {"units": unchecked},
                code="label_not_verified",
                extra={"units": unchecked},
            )
    if leaving:
        unlabelled = [
            unit.pk for unit in _with_labels(leaving) if not current_print(unit, list(unit.label_prints.all()))
        ]
        if unlabelled:
            raise Conflict(
                _("Unit(s) %(units)s may not leave without a current printed label: print it first.")
                % {"units": unlabelled},
                code="label_not_printed",
                extra={"units": unlabelled},
            )


@transaction.atomic
def label_verify(*, unit: BloodUnit, by, din_scan: str, product_scan: str, release: bool = True) -> LabelVerification:
    """Check the two scans against `unit` and its last printed label; record the attempt.

    A 400 (nothing recorded) when a scan is not ISBT 128 data of its kind; a 409 (nothing recorded)
    when the unit has no printed label or its last label no longer says what the unit is (print it
    again first). Otherwise a record, `matched` or not: the caller turns a mismatch into a 409.
    A match on a unit awaiting its label check (quarantined, donation released, in date, no recall
    holding it) releases it into stock in the same transaction, unless `release=False` (a transfer
    being booked in does its own move). Race: a relabel printed while the scans are checked. The
    unit row is locked, as label_print does.
    """
    din, product = read_label_scans(din_scan, product_scan)
    locked = BloodUnit.objects.select_for_update(of=("self",)).select_related("donation__site").get(pk=unit.pk)
    last = locked.label_prints.order_by("-at", "-id").first()
    if last is None:
        raise Conflict(_("This unit's label has not been printed yet: print it, then scan it."), code="no_label")
    if label_for(locked).content() != last.content:
        raise Conflict(
            _("This unit's last label no longer says what the unit is: print the label again, then scan it."),
            code="label_not_current",
        )
    mismatched = []
    if din.din != last.content["din"] or din.flags != last.content["flags"]:
        mismatched.append(DIN_FIELD)
    if product.product_code != last.content["product_code"]:
        mismatched.append(PRODUCT_FIELD)
    check = LabelVerification.objects.create(
        unit=locked,
        label_print=last,
        by=by,
        by_email=getattr(by, "email", "") or "",
        din_scan=din_scan.strip()[:64],
        product_scan=product_scan.strip()[:64],
        matched=not mismatched,
        mismatched=mismatched,
    )
    if check.matched and release and awaiting_check(locked):
        from .services import unit_transition

        unit_transition(unit=locked, to=S.AVAILABLE, by=by, reason="Released: label checked.", already_locked=True)
    return check


def scans_match_last_print(unit: BloodUnit, *, din_scan: str, product_scan: str) -> bool:
    """Whether these scans would match the unit's last printed label: a read without lock or record,
    for a caller that must take other locks before `label_verify` locks the unit row."""
    try:
        din, product = read_label_scans(din_scan, product_scan)
    except ValidationError:
        return False
    last = unit.label_prints.order_by("-at", "-id").first()
    return (
        last is not None
        and (din.din, din.flags) == (last.content["din"], last.content["flags"])
        and product.product_code == last.content["product_code"]
    )


def awaiting_check(unit: BloodUnit) -> bool:
    """A quarantined unit the lab has released (its donation loaded), in date, that no recall holds:
    only its label check keeps it from stock (a temperature excursion holding it keeps it too)."""
    from dblood.coldchain.selectors import excursion_held_unit_ids
    from dblood.donations.models import Donation
    from dblood.recalls.selectors import recalled_unit_ids

    return (
        unit.state == S.QUARANTINED
        and unit.donation.status == Donation.Status.RELEASED
        and unit.expires_at > timezone.now()
        and not recalled_unit_ids([unit.pk])
        and not excursion_held_unit_ids([unit.pk])
    )


def mismatch_conflict(verification: LabelVerification) -> Conflict:
    """The 409 for a failed verification, naming the scan(s) that did not match the unit."""
    names = {DIN_FIELD: _("the DIN barcode"), PRODUCT_FIELD: _("the product barcode")}
    which = _(" and ").join(str(names[field]) for field in verification.mismatched)
    return Conflict(
        _("The label does not match this unit: %(which)s belongs to another bag or product. Check the bag.")
        % {"which": which},
        code="label_mismatch",
        extra={"mismatched": verification.mismatched, "verification": verification.pk},
    )
