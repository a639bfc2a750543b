from django.contrib import admin

from .models import ProcessingFee, Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "province", "is_active", "verified_by"]
    list_filter = ["kind", "province", "is_active"]
    search_fields = ["name", "code", "city"]
    # Photos change only through the api (decoded, re-encoded, old file removed): shown, not edited here.
    readonly_fields = ["photo", "photo_width", "photo_height"]


@admin.register(ProcessingFee)
class ProcessingFeeAdmin(admin.ModelAdmin):
    list_display = ["site", "component", "amount_idr", "updated_at", "updated_by"]
    list_filter = ["component"]
    search_fields = ["site__name", "site__code"]
    readonly_fields = ["updated_by"]

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
