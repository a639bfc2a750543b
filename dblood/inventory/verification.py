"""Two-scan label verification: staff scan a unit's printed label, the DIN barcode (001) and the
product barcode (003), and the api checks both against the unit (docs/domain.md "ISBT 128 data
structures"). Scanning the label itself, not typing what is on the bag, is what catches a label
stuck on the wrong bag or printed for another product of the same donation.

Every attempt is recorded, matched or not (`LabelVerification`, with an audit event): a mismatch is
evidence, so its record is committed even though the caller answers 409.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError

from dblood.core import isbt
from dblood.core.errors import Conflict

from .labels import CanPrintLabel, label_for
from .models import BloodUnit, LabelVerification

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


@transaction.atomic
def label_verify(*, unit: BloodUnit, by, din_scan: str, product_scan: str) -> LabelVerification:
    """Check the two scans against `unit` and its last printed label; record the attempt.

    A 400 (nothing recorded) when a scan is not ISBT 128 data of its kind; a 409 (nothing recorded)
    when the unit has no printed label or its last label no longer says what the unit is (print it
    again first). Otherwise a record, `matched` or not: the caller turns a mismatch into a 409.
    Race: a relabel printed while the scans are checked. The unit row is locked, as label_print does.
    """
    din = _barcode(din_scan, field=DIN_FIELD, structure=isbt.DIN, identifier="=")
    product = _barcode(product_scan, field=PRODUCT_FIELD, structure=isbt.PRODUCT_CODE, identifier="=<")
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
    return LabelVerification.objects.create(
        unit=locked,
        label_print=last,
        by=by,
        by_email=getattr(by, "email", "") or "",
        din_scan=din_scan.strip()[:64],
        product_scan=product_scan.strip()[:64],
        matched=not mismatched,
        mismatched=mismatched,
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
