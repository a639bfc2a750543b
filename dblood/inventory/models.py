from django.db import models

from dblood.core.blood import ABO, Component, RhD


class BloodUnit(models.Model):
    """One bag on a shelf: a component of a donation, with its state and expiry.

    State changes go through `inventory.services` only (docs/domain.md state machine):
    QUARANTINED -> AVAILABLE -> RESERVED -> ISSUED (-> TRANSFUSED); any of the first three ->
    EXPIRED or DISCARDED; QUARANTINED -> UNSAFE. dblood adds IN_TRANSIT for a transfer between
    blood banks: AVAILABLE -> IN_TRANSIT -> AVAILABLE (at the receiving bank), EXPIRED or DISCARDED.
    """

    class State(models.TextChoices):
        QUARANTINED = "quarantined", "Quarantined"
        AVAILABLE = "available", "Available"
        RESERVED = "reserved", "Reserved"
        ISSUED = "issued", "Issued"
        TRANSFUSED = "transfused", "Transfused"
        EXPIRED = "expired", "Expired"
        DISCARDED = "discarded", "Discarded"
        UNSAFE = "unsafe", "Unsafe"
        IN_TRANSIT = "in_transit", "In transit"

    donation = models.ForeignKey("donations.Donation", on_delete=models.PROTECT, related_name="units")
    component = models.CharField(max_length=4, choices=Component.choices)
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
    """A unit sent from one blood bank to another: in transit until the receiving bank books it in."""

    class Status(models.TextChoices):
        IN_TRANSIT = "in_transit", "In transit"
        RECEIVED = "received", "Received"

    unit = models.ForeignKey(BloodUnit, on_delete=models.PROTECT, related_name="transfers")
    from_site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="transfers_out")
    to_site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="transfers_in")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_TRANSIT)
    sent_at = models.DateTimeField(auto_now_add=True)
    sent_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(null=True, blank=True)
    received_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            # A unit is on at most one road at a time.
            models.UniqueConstraint(
                fields=["unit"], condition=models.Q(status="in_transit"), name="one_open_transfer_per_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit}: {self.from_site} -> {self.to_site}"
