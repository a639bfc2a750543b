"""The cold chain: where units are kept, the temperatures read there, the excursions that hold units,
and the end-of-day counts of each shelf (services.py, reconciliation.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StorageLocation(models.Model):
    """A fridge, freezer or platelet agitator of one blood bank, with the range it must stay in.

    A device posts its readings with the location's device token; only the token's SHA-256 is kept
    (`device_token_hash`), so a copy of the database does not let anyone post readings."""

    class Kind(models.TextChoices):
        FRIDGE = "fridge", _("Fridge")
        FREEZER = "freezer", _("Freezer")
        AGITATOR = "agitator", _("Platelet agitator")

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="storage_locations")
    code = models.CharField(max_length=20, help_text="Short name on the door, unique at the bank (e.g. K1).")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    min_c = models.DecimalField("lowest allowed (°C)", max_digits=4, decimal_places=1)
    max_c = models.DecimalField("highest allowed (°C)", max_digits=4, decimal_places=1)
    is_active = models.BooleanField(default=True)
    device_token_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site", "code"]
        constraints = [
            models.UniqueConstraint(fields=["site", "code"], name="storage_code_unique_per_site"),
            models.UniqueConstraint(
                fields=["device_token_hash"],
                condition=~models.Q(device_token_hash=""),
                name="storage_device_token_unique",
            ),
            models.CheckConstraint(condition=models.Q(min_c__lt=models.F("max_c")), name="storage_range_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.site.code} {self.code}"

    def in_range(self, temperature_c) -> bool:
        return self.min_c <= temperature_c <= self.max_c


class TemperatureReading(models.Model):
    """One temperature read at a storage location, by staff or posted by its device. One reading per
    location and moment: a device posting the same reading again finds it (services.reading_record)."""

    class Source(models.TextChoices):
        STAFF = "staff", _("Staff")
        DEVICE = "device", _("Device")

    location = models.ForeignKey(StorageLocation, on_delete=models.PROTECT, related_name="readings")
    taken_at = models.DateTimeField()
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1)
    in_range = models.BooleanField()
    source = models.CharField(max_length=6, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    excursion = models.ForeignKey("Excursion", null=True, blank=True, on_delete=models.PROTECT, related_name="readings")

    class Meta:
        ordering = ["-taken_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["location", "taken_at"], name="one_reading_per_moment")]

    def __str__(self) -> str:
        return f"{self.location} {self.temperature_c} °C at {self.taken_at:%Y-%m-%d %H:%M}"


class Excursion(models.Model):
    """A temperature outside the allowed range: at a storage location (the units kept there are held)
    or on the road (a transfer received out of range: its unit is held). OPEN until a person decides
    each held unit's fate (release or discard); the decision is kept on each ExcursionUnit."""

    class Kind(models.TextChoices):
        STORAGE = "storage", _("Storage")
        TRANSPORT = "transport", _("Transport")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    kind = models.CharField(max_length=9, choices=Kind.choices)
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="excursions")
    location = models.ForeignKey(
        StorageLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="excursions"
    )
    transfer = models.ForeignKey(
        "inventory.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="excursions"
    )
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, help_text="The reading that opened it.")
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300, blank=True, help_text="Why the units were released or discarded.")

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            # Race: two out-of-range readings of one fridge at once open a single excursion.
            models.UniqueConstraint(
                fields=["location"], condition=models.Q(status="open"), name="one_open_excursion_per_location"
            ),
        ]
        indexes = [models.Index(fields=["site", "status"], name="excursion_site_status")]

    def __str__(self) -> str:
        return f"excursion {self.pk} ({self.kind}, {self.status})"


class ExcursionUnit(models.Model):
    """A unit an excursion holds, and what the person closing it decided. While PENDING the unit may
    not become available (inventory.services asks selectors.excursion_held_unit_ids)."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        RELEASED = "released", _("Released")
        DISCARDED = "discarded", _("Discarded")
        GONE = "gone", _("Left custody meanwhile")

    excursion = models.ForeignKey(Excursion, on_delete=models.CASCADE, related_name="held")
    unit = models.ForeignKey("inventory.BloodUnit", on_delete=models.PROTECT, related_name="excursion_holds")
    state_at_hold = models.CharField(max_length=12)
    decision = models.CharField(max_length=9, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["excursion", "id"]
        constraints = [models.UniqueConstraint(fields=["excursion", "unit"], name="unit_held_once_per_excursion")]
        indexes = [models.Index(fields=["unit"], condition=models.Q(decision="pending"), name="excursion_unit_pending")]

    def __str__(self) -> str:
        return f"{self.excursion}: unit {self.unit_id} ({self.decision})"


class UnitMove(models.Model):
    """A unit moved from one storage location to another (either may be none: first placed, taken out)."""

    unit = models.ForeignKey("inventory.BloodUnit", on_delete=models.CASCADE, related_name="moves")
    from_location = models.ForeignKey(
        StorageLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_location = models.ForeignKey(StorageLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["unit", "at"], name="unitmove_unit_at")]

    def __str__(self) -> str:
        return f"unit {self.unit_id}: {self.from_location_id} -> {self.to_location_id}"


class Reconciliation(models.Model):
    """An end-of-day count of one storage location: what staff scanned against what dblood expected
    there (units in the bank's custody placed at it). Each difference is an item to resolve."""

    location = models.ForeignKey(StorageLocation, on_delete=models.PROTECT, related_name="reconciliations")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    expected = models.PositiveIntegerField()
    counted = models.PositiveIntegerField()
    matched = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["location", "at"], name="reconciliation_location_at")]

    def __str__(self) -> str:
        return f"count of {self.location} at {self.at:%Y-%m-%d %H:%M}"


class ReconciliationItem(models.Model):
    """One difference found by a count: a unit expected but not scanned (MISSING), or a scan of a unit
    not expected there (UNEXPECTED: at another location, not in stock, or unknown to dblood)."""

    class Kind(models.TextChoices):
        MISSING = "missing", _("Missing")
        UNEXPECTED = "unexpected", _("Unexpected")

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    unit = models.ForeignKey("inventory.BloodUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    din = models.CharField(max_length=13)
    product_code = models.CharField(max_length=8)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["reconciliation", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.din} {self.product_code}"
