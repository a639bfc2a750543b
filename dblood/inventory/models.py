from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dblood.core.blood import ABO, CompatibilityKind, Component, DonationType, RhD


class ComponentType(models.Model):
    """What a component is and the rules for making and keeping it, as data (docs/domain.md defaults,
    seeded by a migration from `component_defaults.DEFAULTS`, edited in the admin).

    Read through `dblood.inventory.components` (a short per-process cache, dropped on save): shelf
    life and expiry, what each donation type yields, the processing window, which component a bag's
    plasma is consumed by, the compatibility rule, and whom a call-out or a shortage asks to donate.
    """

    class Period(models.TextChoices):
        HOURS = "hours", "hours"
        DAYS = "days", "days"

    code = models.CharField(max_length=4, unique=True, choices=Component.choices)
    name_en = models.CharField("name (English)", max_length=80)
    name_id = models.CharField("name (Bahasa Indonesia)", max_length=80)
    isbt_product_codes = models.JSONField(
        "ISBT 128 product description codes",
        default=list,
        blank=True,
        help_text='E + 4 digits each, e.g. ["E0001"]; the first is printed on new units. The defaults are '
        "placeholders: production loads the ICCBBA-licensed product table.",
    )
    donation_types = models.JSONField(
        default=list, help_text=f"Donation types that can yield it, of {DonationType.values}."
    )
    bag_types = models.JSONField(
        default=list, blank=True, help_text='Collection bags it can be made from, e.g. ["double", "triple"].'
    )
    storage_min_c = models.DecimalField(
        "storage from (°C)", max_digits=4, decimal_places=1, null=True, blank=True, help_text="Empty: no lower limit."
    )
    storage_max_c = models.DecimalField(
        "storage to (°C)", max_digits=4, decimal_places=1, null=True, blank=True, help_text="Empty: no upper limit."
    )
    shelf_life = models.PositiveIntegerField(
        null=True, blank=True, help_text="From collection, in the period below. Empty: not made here."
    )
    shelf_life_period = models.CharField(max_length=5, choices=Period.choices, default=Period.DAYS)
    max_hours_to_processing = models.PositiveIntegerField(
        "maximum hours from collection to processing",
        null=True,
        blank=True,
        help_text="It may be made only this soon after collection. Empty: no window (the bag kept as it is).",
    )
    consumes = models.CharField(
        max_length=4,
        choices=Component.choices,
        blank=True,
        help_text="The component of the same bag it is made from (cryoprecipitate from the plasma): a bag "
        "yields one or the other, never both.",
    )
    whole_bag = models.BooleanField(
        default=False, help_text="The bag kept as it is (whole blood): nothing else is made from the donation."
    )
    compatibility = models.CharField(max_length=12, choices=CompatibilityKind.choices)
    default_volume_ml = models.PositiveSmallIntegerField(help_text="Used when staff give no volume.")
    refill_donation_type = models.CharField(
        max_length=20, choices=DonationType.choices, help_text="The donation a call-out for it asks donors to give."
    )
    recruit_on_shortage = models.BooleanField(default=False, help_text="Invite donors when its stock turns critical.")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code}: {self.name_en}"

    def clean(self) -> None:
        from .components import type_problems

        problems = type_problems(self)
        if problems:
            raise ValidationError(problems)


class BloodUnit(models.Model):
    """One bag on a shelf: a component of a donation, with its state and expiry.

    State changes go through `inventory.services` only (docs/domain.md state machine):
    QUARANTINED -> AVAILABLE -> RESERVED -> ISSUED (-> TRANSFUSED); any of the first three ->
    EXPIRED or DISCARDED; QUARANTINED -> UNSAFE -> DISCARDED (its destruction, recorded). dblood adds
    IN_TRANSIT for a transfer between blood banks: AVAILABLE -> IN_TRANSIT -> AVAILABLE (at the
    receiving bank), EXPIRED or DISCARDED; a unit reserved for another bank's request travels
    RESERVED -> IN_TRANSIT -> RESERVED (at the issuing bank).
    """

    class State(models.TextChoices):
        QUARANTINED = "quarantined", _("Quarantined")
        AVAILABLE = "available", _("Available")
        RESERVED = "reserved", _("Reserved")
        ISSUED = "issued", _("Issued")
        TRANSFUSED = "transfused", _("Transfused")
        EXPIRED = "expired", _("Expired")
        DISCARDED = "discarded", _("Discarded")
        UNSAFE = "unsafe", _("Unsafe")
        IN_TRANSIT = "in_transit", _("In transit")

    donation = models.ForeignKey("donations.Donation", on_delete=models.PROTECT, related_name="units")
    component = models.CharField(max_length=4, choices=Component.choices)
    product_code = models.CharField(
        max_length=8,
        blank=True,
        help_text="ISBT 128 product code (data structure 003 without =<): product description code, "
        "donation type, division. Set at separation.",
    )
    abo = models.CharField(max_length=2, choices=ABO.choices)
    rhd = models.CharField(max_length=1, choices=RhD.choices)
    volume_ml = models.PositiveSmallIntegerField()
    site = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, related_name="units", help_text="Where it is stored."
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.QUARANTINED)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    state_changed_at = models.DateTimeField(auto_now_add=True)
    discard_reason = models.CharField(max_length=200, blank=True)
    # Set when issued: the hospital it went to (for "where did my blood go").
    issued_to = models.ForeignKey(
        "sites.Site", null=True, blank=True, on_delete=models.PROTECT, related_name="received_units"
    )
    issued_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["expires_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["donation", "component"], name="one_unit_per_component_per_donation")
        ]
        indexes = [
            # First-expiring-first-out lists and stock counts by site x group x component.
            models.Index(fields=["site", "state", "component", "abo", "rhd", "expires_at"]),
            models.Index(fields=["state", "expires_at"]),
            # Staff's first-expiring list at one bank in index order, and its count index-only
            # (at 100,000 donors: 25 ms -> 0.2 ms for a page, EXPLAIN ANALYZE).
            models.Index(fields=["site", "state", "expires_at", "id"], name="unit_fefo_by_site"),
            # Allocation's ranking across every bank reads only the compatible units on the shelf
            # (at 500,000 units: 11,000 rows instead of a scan of all 150,000 available).
            models.Index(
                fields=["component", "abo", "rhd", "expires_at"],
                condition=models.Q(state="available"),
                name="unit_available_by_group",
            ),
            # Reports: units made in a period (the wastage rate's denominator), nationally and per
            # bank (1,000,000 donors: 147 ms -> 58 ms national, EXPLAIN in bench/reports_explain.txt).
            models.Index(fields=["created_at"], name="unit_created_at"),
        ]

    def __str__(self) -> str:
        return f"{self.donation} {self.component} {self.abo}{self.rhd}"


class UnitEvent(models.Model):
    """Audit trail: every state change of every unit, who made it and why."""

    unit = models.ForeignKey(BloodUnit, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=12, choices=BloodUnit.State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=BloodUnit.State.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]
        # Days of supply counts the issues of the last 30 days (stock.compute).
        indexes = [models.Index(fields=["to_state", "at"], name="unitevent_to_state_at")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.from_state} -> {self.to_state}"


class Transfer(models.Model):
    """A unit moving from one blood bank to another.

    Sent directly by the bank that holds it (IN_TRANSIT at once), or asked for by another bank that
    reserved it for one of its requests (REQUESTED: the holding bank sees it and dispatches it). The
    receiving bank books it in (RECEIVED). A transfer that will not arrive is CLOSED: the unit was
    discarded or expired on the way, or the reservation ended before the unit was dispatched.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        IN_TRANSIT = "in_transit", "In transit"
        RECEIVED = "received", "Received"
        CLOSED = "closed", "Closed"

    OPEN = (Status.REQUESTED, Status.IN_TRANSIT)

    unit = models.ForeignKey(BloodUnit, on_delete=models.PROTECT, related_name="transfers")
    from_site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="transfers_out")
    to_site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="transfers_in")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_TRANSIT)
    reserved = models.BooleanField(
        default=False, help_text="The unit travels reserved for a request of the receiving bank."
    )
    requested_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # A unit is on at most one road (asked for, or on its way) at a time.
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status__in=["requested", "in_transit"]),
                name="one_open_transfer_per_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.from_site} -> {self.to_site}"


class LabelPrint(models.Model):
    """One printing of a unit's label (PDF or ZPL): who, when, and what the label said.

    Written by `inventory.labels.label_print` for every label served; never updated or deleted.
    `kind` says whether it was the unit's first label, a reprint of the same content, or a relabel:
    the content changed since the last print (the lab's typing replaced the declared group, the
    unit left quarantine), and `changed` names what, old and new.
    """

    class Kind(models.TextChoices):
        FIRST = "first", _("First label")
        REPRINT = "reprint", _("Reprint")
        RELABEL = "relabel", _("Relabel")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        ZPL = "zpl", "ZPL"

    unit = models.ForeignKey(BloodUnit, on_delete=models.PROTECT, related_name="label_prints")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Kept as text too: the record must still say who printed after the account is deleted.
    by_email = models.CharField(max_length=254, blank=True)
    format = models.CharField(max_length=3, choices=Format.choices)
    kind = models.CharField(max_length=7, choices=Kind.choices)
    content = models.JSONField(help_text="What the label carried: DIN, flags, group, product code, expiry (005).")
    changed = models.JSONField(default=dict, blank=True, help_text="For a relabel: field -> [old, new].")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["unit", "at"], name="labelprint_unit_at")]

    def __str__(self) -> str:
        return f"{self.unit} label {self.kind} {self.at:%Y-%m-%d %H:%M}"


class LabelVerification(models.Model):
    """Staff scanned a unit's printed label (the DIN barcode, 001, and the product barcode, 003) and
    the api compared both with the unit (docs/domain.md "ISBT 128 data structures").

    Written by `inventory.verification.label_verify`, matched or not: a mismatch is kept as evidence
    of a wrong label or a wrong bag. `label_print` is the print the scans were checked against (the
    unit's last); a later relabel needs a new verification. Never updated or deleted.
    """

    unit = models.ForeignKey(BloodUnit, on_delete=models.PROTECT, related_name="label_verifications")
    label_print = models.ForeignKey(LabelPrint, null=True, on_delete=models.PROTECT, related_name="verifications")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Kept as text too: the record must still say who scanned after the account is deleted.
    by_email = models.CharField(max_length=254, blank=True)
    din_scan = models.CharField(max_length=64, help_text="The DIN barcode (001) as scanned.")
    product_scan = models.CharField(max_length=64, help_text="The product barcode (003) as scanned.")
    matched = models.BooleanField()
    mismatched = models.JSONField(default=list, blank=True, help_text="Which scans did not match: din, product_code.")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["unit", "at"], name="labelverification_unit_at")]

    def __str__(self) -> str:
        return f"{self.unit} label check {'ok' if self.matched else 'MISMATCH'} {self.at:%Y-%m-%d %H:%M}"
