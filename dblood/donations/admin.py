from django.contrib import admin

from .models import DinSequence, Donation, ScreeningResult


class ScreeningResultInline(admin.TabularInline):
    model = ScreeningResult
    extra = 0
    can_delete = False
    readonly_fields = ["test", "attempt", "reactive", "recorded_at", "recorded_by"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # results go through the lab api (repeat-reactive numbering, release rule)


@admin.register(Donation)
class DonationAdmin(admin.ModelAdmin):
    list_display = ["din", "donor", "site", "donation_type", "outcome", "status", "collected_at"]
    list_filter = ["status", "outcome", "donation_type", "site"]
    search_fields = ["din", "donor__donor_number"]
    list_select_related = ["donor", "site"]
    raw_id_fields = ["donor", "appointment", "collected_by", "typed_by"]
    # Lab state changes only through the lab services: the release rule must run.
    readonly_fields = ["din", "status", "released_at", "typed_abo", "typed_rhd", "typed_at", "typed_by"]
    inlines = [ScreeningResultInline]


@admin.register(DinSequence)
class DinSequenceAdmin(admin.ModelAdmin):
    list_display = ["fin", "year", "last"]
    readonly_fields = ["fin", "year", "last"]

    def has_add_permission(self, request) -> bool:
        return False
