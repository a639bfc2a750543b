from django.contrib import admin

from .models import Deferral, DeferralReason, Donor, EligibilityProfile


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


@admin.register(Deferral)
class DeferralAdmin(admin.ModelAdmin):
    list_display = ["donor", "reason", "permanent", "starts_on", "ends_on", "recorded_by"]
    list_filter = ["permanent", "reason"]
    raw_id_fields = ["donor", "recorded_by"]
