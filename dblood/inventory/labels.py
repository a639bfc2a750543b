"""A unit's ISBT 128 label: what it says, who may print it, and the record of every print.

The label has the ISBT 128 layout's four quadrants (docs/domain.md "ISBT 128 data structures"):

    upper left   DIN (001) with its flags and boxed check character, the collecting bank
    upper right  ABO/RhD (002)
    lower left   product code (003) and the product's description, volume and storage
    lower right  expiry date and time (005)

Each quadrant's data is also a Code 128 barcode (drawn by `labels_pdf` with reportlab, or by the
printer's own ^BC command in `labels_zpl`). The data is written by `dblood.core.isbt` and read back
by its `parse_scan`, so what a label prints is what the api's scan fields accept.

Text is English (ISBT 128's terms, which every blood bank's staff and the standard's label guide
use) with Indonesian beneath wherever space allows. It does not follow the caller's language: a
label is read later by whoever holds the bag (a nurse at the bedside, another bank), not by the
person who printed it.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from dblood.core import isbt
from dblood.core.errors import Conflict

from . import components
from .models import BloodUnit, LabelPrint

# A label goes on a bag still in the blood bank's custody: never on one that left or was destroyed.
LABELLABLE = (BloodUnit.State.QUARANTINED, BloodUnit.State.AVAILABLE, BloodUnit.State.RESERVED)
FLAG_CHECK_OFFSET = 60  # flags 60-96 carry the DIN's check value + 60 (ISBT 128 flag type 3)


class CanPrintLabel(BasePermission):
    """Staff of the blood bank holding the unit, and administrators; nobody else.

    Querysets do the same scoping (a unit of another bank is a 404 for its staff); this is the
    check the label endpoints state explicitly, object by object."""

    message = _("Only staff of the blood bank holding the unit, or an administrator, may print its label.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_blood_bank_staff or user.is_admin))

    def has_object_permission(self, request, view, obj) -> bool:
        user = request.user
        return bool(user.is_admin or obj.site_id in user.site_ids)


def units_for_printing(*, user):
    """The units `user` may print labels for: an administrator's are every unit."""
    qs = BloodUnit.objects.select_related("donation__site", "site")
    return qs if user.is_admin else qs.filter(site_id__in=user.site_ids)


@dataclass(frozen=True)
class Label:
    """What one label says, in the collecting bank's local time (as ISBT 128's 005 is written)."""

    din: str
    flags: str
    abo: str
    rhd: str
    product_code: str
    expires: datetime  # naive, the collecting bank's wall clock
    zone: str  # its abbreviation, e.g. WIB
    product_en: str
    product_id: str
    volume_ml: int
    storage_en: str
    storage_id: str
    bank: str
    bank_city: str
    quarantined: bool

    @property
    def check(self) -> str:
        return isbt.check_character(self.din)

    @property
    def eye_readable_din(self) -> str:
        """`G1234 26 000001`: facility, year, sequence (flags and check printed beside it)."""
        return f"{self.din[:5]} {self.din[5:7]} {self.din[7:]}"

    @property
    def barcodes(self) -> dict[str, str]:
        """Barcode data by quadrant: 001, 002, 003, 005."""
        return {
            "din": isbt.din_data(self.din, self.flags),
            "blood_group": isbt.group_data(self.abo, self.rhd),
            "product_code": isbt.product_data(self.product_code),
            "expires_at": isbt.expiry_data(self.expires),
        }

    def content(self) -> dict:
        """What a print record keeps: the fields that decide whether an older label still holds."""
        return {
            "din": self.din,
            "flags": self.flags,
            "abo": self.abo,
            "rhd": self.rhd,
            "product_code": self.product_code,
            "expires": self.barcodes["expires_at"][2:],
            "quarantined": self.quarantined,
        }


def _degrees(value: Decimal) -> str:
    return f"{value.normalize():f}"


def storage_words(kind: components.Kind | None) -> tuple[str, str]:
    """The storage line in English and Indonesian, from the component type's table row."""
    low = kind.storage_min_c if kind else None
    high = kind.storage_max_c if kind else None
    if low is not None and high is not None:
        return (
            f"Store at {_degrees(low)} to {_degrees(high)} °C",
            f"Simpan pada {_degrees(low)} s.d. {_degrees(high)} °C",
        )
    if high is not None:
        return f"Store at {_degrees(high)} °C or colder", f"Simpan pada {_degrees(high)} °C atau lebih dingin"
    if low is not None:
        return f"Store at {_degrees(low)} °C or warmer", f"Simpan pada {_degrees(low)} °C atau lebih hangat"
    return "", ""


def label_for(unit: BloodUnit) -> Label:
    """The label of `unit` as it stands (donation and its site loaded). A 409 when it cannot have one.

    It reads QUARANTINE until the lab has released the donation (and again while a recall holds the
    unit): the final label, the one whose scan lets the unit into stock (`inventory.verification`),
    is printed after the release. A unit on the road has a label (the one the receiving bank scans),
    but no new one is printed for it (`label_print`)."""
    if unit.expires_at <= timezone.now():
        raise Conflict(_("This unit is past its expiry: it gets no new label."), code="unit_expired")
    din = unit.donation.din
    if not din or not unit.product_code:
        raise Conflict(
            _("This unit has no DIN or no product code yet (both are set at collection and separation)."),
            code="no_product_code",
        )
    collecting = unit.donation.site
    local = unit.expires_at.astimezone(ZoneInfo(collecting.timezone))
    kind = components.kind(unit.component)
    storage_en, storage_id = storage_words(kind)
    return Label(
        din=din,
        flags=f"{isbt.check_value(din) + FLAG_CHECK_OFFSET:02d}",
        abo=unit.abo,
        rhd=unit.rhd,
        product_code=unit.product_code,
        expires=local.replace(tzinfo=None),
        zone=local.tzname() or collecting.timezone,
        product_en=kind.name_en if kind else unit.component,
        product_id=kind.name_id if kind else unit.component,
        volume_ml=unit.volume_ml,
        storage_en=storage_en,
        storage_id=storage_id,
        bank=collecting.name,
        bank_city=collecting.city,
        quarantined=_quarantine_label(unit),
    )


def _quarantine_label(unit: BloodUnit) -> bool:
    """Whether the bag must say QUARANTINE: its donation is not released (in testing, held), or a
    recall holds it. A released unit in quarantine awaiting its label check gets the final label."""
    from dblood.donations.models import Donation
    from dblood.recalls.selectors import recalled_unit_ids

    if unit.state != BloodUnit.State.QUARANTINED:
        return False
    return unit.donation.status != Donation.Status.RELEASED or bool(recalled_unit_ids([unit.pk]))


def _renderers() -> dict:
    from .labels_pdf import label_pdf
    from .labels_zpl import label_zpl

    return {LabelPrint.Format.PDF: label_pdf, LabelPrint.Format.ZPL: lambda label: label_zpl(label).encode()}


@transaction.atomic
def label_print(*, unit: BloodUnit, by, fmt: str) -> tuple[bytes, LabelPrint]:
    """Render `unit`'s label in `fmt` (pdf or zpl) and record the print: first, reprint or relabel.

    The record and the label come from one read of the unit under its row lock. Race: two clerks
    printing one bag at once would otherwise both see "no label yet" and both record a first print.
    Rendering happens inside the transaction: a label that fails to render is not recorded.
    """
    locked = BloodUnit.objects.select_for_update(of=("self",)).select_related("donation__site").get(pk=unit.pk)
    if locked.state not in LABELLABLE:
        raise Conflict(
            _("A label is printed only for a unit in the blood bank's custody (quarantined, available or reserved)."),
            code="not_labellable",
            extra={"state": locked.state},
        )
    label = label_for(locked)
    body = _renderers()[fmt](label)
    content = label.content()
    last = locked.label_prints.order_by("-at", "-id").first()
    if last is None:
        kind, changed = LabelPrint.Kind.FIRST, {}
    else:
        changed = {
            name: [last.content.get(name), value] for name, value in content.items() if last.content.get(name) != value
        }
        kind = LabelPrint.Kind.RELABEL if changed else LabelPrint.Kind.REPRINT
    record = LabelPrint.objects.create(
        unit=locked,
        by=by,
        by_email=getattr(by, "email", "") or "",
        format=fmt,
        kind=kind,
        content=content,
        changed=changed,
    )
    return body, record


def label_state(unit: BloodUnit, prints: list[LabelPrint], verifications: list | None = None) -> dict:
    """What the unit's detail says of its label: how often printed, the last print, whether that
    label still says what the unit is (False after a typing change: print it again), and whether
    that current label was scanned and matched (`inventory.verification`)."""
    from .verification import current_print, label_checked

    if not prints:
        return {"prints": 0, "last_printed_at": None, "last_kind": None, "current": False, "verified": False}
    last = prints[-1]
    current = current_print(unit, prints) is not None
    verified = label_checked(unit, prints, verifications or [])
    return {
        "prints": len(prints),
        "last_printed_at": last.at,
        "last_kind": last.kind,
        "current": current,
        "verified": verified,
    }
