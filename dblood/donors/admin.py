from django.contrib import admin

from . import identity
from .duplicates import duplicates_record
from .models import Deferral, DeferralReason, Donor, DuplicatePair, EligibilityProfile


@admin.register(EligibilityProfile)
class EligibilityProfileAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "min_age", "max_age", "min_weight_kg", "whole_blood_after_whole_blood_days"]
    fieldsets = [
        (None, {"fields": ["code", "name", "source"]}),
        ("Donor", {"fields": ["min_age", "max_age", "max_age_regular", "min_weight_kg"]}),
        ("Hemoglobin (g/dL)", {"fields": ["hb_min_male", "hb_min_female", "hb_max"]}),
        (
            "Vitals",
            {
                "fields": [
                    ("bp_systolic_min", "bp_systolic_max"),
                    ("bp_diastolic_min", "bp_diastolic_max"),
                    ("pulse_min", "pulse_max"),
                    ("temp_min", "temp_max"),
                ]
            },
        ),
        (
            "Intervals (days) and yearly caps",
            {
                "fields": [
                    "whole_blood_after_whole_blood_days",
                    "apheresis_after_apheresis_days",
                    "apheresis_after_whole_blood_days",
                    "whole_blood_after_apheresis_days",
                    "max_whole_blood_per_year",
                    "max_apheresis_per_year",
                ]
            },
        ),
    ]


@admin.register(DeferralReason)
class DeferralReasonAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "permanent", "default_days", "default_months"]
    search_fields = ["code", "name"]


@admin.register(Donor)
class DonorAdmin(admin.ModelAdmin):
    list_display = ["donor_number", "user", "abo", "rhd", "group_confirmed", "city", "province"]
    list_filter = ["abo", "rhd", "group_confirmed", "province"]
    search_fields = ["donor_number", "user__email", "user__full_name", "phone"]
    raw_id_fields = ["user"]
    # The NIK is given by the donor and verified at a bank desk; here it is only shown masked.
    exclude = ["nik_ciphertext", "nik_hash", "nik_verified_by"]
    readonly_fields = ["nik_masked", "nik_verified_at", "merged_into"]

    @admin.display(description="NIK")
    def nik_masked(self, donor) -> str:
        return identity.nik_mask(identity.nik_decrypt(donor.nik_ciphertext))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A record made or changed here is compared like one from the desk or the donor's profile.
        duplicates_record(donor=obj, via=DuplicatePair.Via.ADMIN)


@admin.register(Deferral)
class DeferralAdmin(admin.ModelAdmin):
    list_display = ["donor", "reason", "permanent", "starts_on", "ends_on", "recorded_by"]
    list_filter = ["permanent", "reason"]
    raw_id_fields = ["donor", "recorded_by"]
