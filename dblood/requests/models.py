from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from dblood.core.blood import ABO, Component, DonationType, RhD


class BloodRequest(models.Model):
    """A hospital asks a blood bank for units for one patient. The patient is never named here."""

    class Urgency(models.TextChoices):
        ROUTINE = "routine", _("Routine")
        URGENT = "urgent", _("Urgent")
        EMERGENCY = "emergency", _("Emergency")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        PARTLY_ALLOCATED = "partly_allocated", _("Partly allocated")
        ALLOCATED = "allocated", _("Allocated")
        ISSUED = "issued", _("Issued")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    OPEN = (Status.SUBMITTED, Status.PARTLY_ALLOCATED, Status.ALLOCATED)

    hospital = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, related_name="blood_requests", limit_choices_to={"kind": "hospital"}
    )
    target_bank = models.ForeignKey(
        "sites.Site",
        on_delete=models.PROTECT,
        related_name="incoming_requests",
        limit_choices_to={"kind": "blood_bank"},
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    patient_abo = models.CharField(max_length=2, choices=ABO.choices)
    patient_rhd = models.CharField(max_length=1, choices=RhD.choices)
    # RhD-negative women who may still bear children get RhD-negative platelets (docs/domain.md).
    patient_female_cbp = models.BooleanField(default=False, help_text="Woman of childbearing potential.")
    component = models.CharField(max_length=4, choices=Component.choices)
    units = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(50)])
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    needed_by = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True, help_text="Clinical note; no patient names.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_bank", "status", "needed_by"]),
            models.Index(fields=["hospital", "status"]),
            # Reports: the requests filed to one bank in a period (turnaround; 11 ms -> 0.6 ms at
            # 62,500 requests).
            models.Index(fields=["target_bank", "created_at"], name="request_bank_created_at"),
        ]
        constraints = [models.CheckConstraint(condition=models.Q(units__gte=1), name="request_units_positive")]

    def __str__(self) -> str:
        return f"request {self.pk}: {self.units} {self.component} {self.patient_abo}{self.patient_rhd}"


class ReplacementCode(models.Model):
    """The code a patient's family hands to replacement donors ("donor pengganti"): a donation made
    with it, booked or at the desk, is credited to the request (requests/replacement.py)."""

    request = models.OneToOneField(BloodRequest, on_delete=models.CASCADE, related_name="replacement_code")
    # Eight characters from an alphabet without 0/O and 1/I: typeable from a phone message, not guessable.
    code = models.CharField(max_length=8, unique=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"replacement code for request {self.request_id}"


class ReplacementCredit(models.Model):
    """One replacement donor for a request: pledged with a booking (`appointment`), credited once their
    donation is recorded completed (`donation`). A desk entry without a booking is credited at once."""

    code = models.ForeignKey(ReplacementCode, on_delete=models.PROTECT, related_name="credits")
    appointment = models.OneToOneField(
        "drives.Appointment", null=True, blank=True, on_delete=models.CASCADE, related_name="replacement_credit"
    )
    donation = models.OneToOneField(
        "donations.Donation", null=True, blank=True, on_delete=models.PROTECT, related_name="replacement_credit"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    credited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(appointment__isnull=False) | models.Q(donation__isnull=False),
                name="replacement_credit_booked_or_donated",
            )
        ]

    def __str__(self) -> str:
        return f"replacement for request {self.code.request_id}"


class Allocation(models.Model):
    """One unit held for one request: reserved, then issued, or released (cancelled, unreserved)."""

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        ISSUED = "issued", _("Issued")
        RELEASED = "released", _("Released")

    ACTIVE = (Status.RESERVED, Status.ISSUED)

    class Outcome(models.TextChoices):
        TRANSFUSED = "transfused", _("Transfused")
        NOT_TRANSFUSED = "not_transfused", _("Not transfused")

    request = models.ForeignKey(BloodRequest, on_delete=models.CASCADE, related_name="allocations")
    unit = models.ForeignKey("inventory.BloodUnit", on_delete=models.PROTECT, related_name="allocations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RESERVED)
    # Set when staff chose a unit the compatibility rules would not propose (recorded emergency override).
    override_reason = models.CharField(max_length=300, blank=True)
    # The second, explicit confirmation an RhD override for a woman of childbearing potential needs.
    override_acknowledged = models.BooleanField(default=False)
    # A unit reserved on another bank's shelf comes to the issuing bank by this transfer first.
    transfer = models.ForeignKey(
        "inventory.Transfer", null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    reserved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reserved_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    # The bank's processing fee (BPPD) for this bag when it was issued, in rupiah; null: the bank had
    # published none for the component. Kept, so a later change of the fee does not rewrite the note.
    processing_fee_idr = models.PositiveIntegerField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    reaction = models.CharField(max_length=300, blank=True, help_text="Any transfusion reaction, as reported.")
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["reserved_at", "id"]
        constraints = [
            # No unit is ever in two requests: at most one active allocation per unit, whatever
            # the application does (the race between two clerks ends here at the latest).
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status__in=["reserved", "issued"]),
                name="one_active_allocation_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} -> request {self.request_id} ({self.status})"


class CallOut(models.Model):
    """An emergency appeal to compatible, eligible donors near a collection site, for one request."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    request = models.ForeignKey(BloodRequest, on_delete=models.CASCADE, related_name="call_outs")
    collection_site = models.ForeignKey(
        "sites.Site", on_delete=models.PROTECT, related_name="call_outs", limit_choices_to={"kind": "blood_bank"}
    )
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    donation_type = models.CharField(max_length=24, choices=DonationType.choices)
    radius_km = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(200)])
    donors_wanted = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    batch_size = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    come_by = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    exhausted = models.BooleanField(default=False, help_text="No more donors to ask.")
    last_batch_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "last_batch_at"])]

    def __str__(self) -> str:
        return f"call-out {self.pk} for {self.request}"


class CallOutRecipient(models.Model):
    """A donor asked by a call-out (once: the unique constraint)."""

    call_out = models.ForeignKey(CallOut, on_delete=models.CASCADE, related_name="recipients")
    donor = models.ForeignKey("donors.Donor", on_delete=models.CASCADE, related_name="call_outs_received")
    batch = models.PositiveSmallIntegerField()
    notified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call_out", "donor"], name="call_out_recipient_once")]

    def __str__(self) -> str:
        return f"{self.donor} asked by call-out {self.call_out_id}"


class CallOutResponse(models.Model):
    """A donor's answer. A second answer replaces the first (one row per donor and call-out)."""

    class Answer(models.TextChoices):
        COMING = "coming", _("Coming")
        CANT = "cant", _("Can't come")

    call_out = models.ForeignKey(CallOut, on_delete=models.CASCADE, related_name="responses")
    donor = models.ForeignKey("donors.Donor", on_delete=models.CASCADE, related_name="call_out_responses")
    answer = models.CharField(max_length=8, choices=Answer.choices)
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["answered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["call_out", "donor"], name="call_out_response_once")]

    def __str__(self) -> str:
        return f"{self.donor}: {self.answer} (call-out {self.call_out_id})"


class StockAlert(models.Model):
    """A stock cell (blood bank x group x component) that turned critical; open until it recovers.

    Recruitment runs once per alert: the partial unique constraint allows one open alert per cell.
    """

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="stock_alerts")
    abo = models.CharField(max_length=2, choices=ABO.choices)
    rhd = models.CharField(max_length=1, choices=RhD.choices)
    component = models.CharField(max_length=4, choices=Component.choices)
    available = models.PositiveIntegerField(help_text="Units available when it turned critical.")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    invited = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "abo", "rhd", "component"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_stock_alert_per_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} {self.abo}{self.rhd} {self.component} critical since {self.opened_at:%Y-%m-%d}"
