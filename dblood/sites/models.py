from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from dblood.core.blood import Component

# No bank charges anything near this per bag (recent BPPDs are Rp 360,000-490,000): a typo guard.
MAX_FEE_IDR = 10_000_000


class Site(models.Model):
    """A blood bank (PMI UDD, hospital blood bank) or a hospital that requests blood."""

    class Kind(models.TextChoices):
        BLOOD_BANK = "blood_bank", "Blood bank"
        HOSPITAL = "hospital", "Hospital"

    code = models.SlugField(max_length=32, unique=True, help_text="Short stable identifier, e.g. 'udd-jakarta'.")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    address = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100)
    province = models.CharField(max_length=100)
    latitude = models.FloatField(validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(validators=[MinValueValidator(-180), MaxValueValidator(180)])
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    opening_hours = models.JSONField(
        default=dict, blank=True, help_text='By weekday, e.g. {"mon": "08:00-14:00", "sun": "closed"}.'
    )
    timezone = models.CharField(max_length=64, default=settings.TIME_ZONE)
    # A hospital verified by a blood bank may start emergency donor call-outs.
    verified_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verified_hospitals",
        limit_choices_to={"kind": "blood_bank"},
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    # A photo of the building or entrance, so donors recognise it. Always a JPEG the server
    # re-encoded, under a name the server chose (dblood.sites.photos); never the client's file.
    photo = models.FileField(max_length=200, null=True, blank=True, editable=False)
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["kind", "province", "city"]),
            models.Index(fields=["latitude", "longitude"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_blood_bank(self) -> bool:
        return self.kind == self.Kind.BLOOD_BANK

    @property
    def is_verified(self) -> bool:
        return self.verified_by_id is not None


class ProcessingFee(models.Model):
    """A blood bank's processing fee (BPPD, biaya pengganti pengolahan darah) for one bag of a
    component, in rupiah. Public: it is what a hospital is charged for collecting, testing and
    processing the blood, never a price for the blood itself. Edited by the bank's staff."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="processing_fees")
    component = models.CharField(max_length=4, choices=Component.choices)
    amount_idr = models.PositiveIntegerField(validators=[MaxValueValidator(MAX_FEE_IDR)])
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["site", "component"]
        constraints = [
            models.UniqueConstraint(fields=["site", "component"], name="processing_fee_once_per_component"),
            models.CheckConstraint(condition=models.Q(amount_idr__lte=MAX_FEE_IDR), name="processing_fee_within_bound"),
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.component} Rp {self.amount_idr:,}"
