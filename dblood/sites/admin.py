from django.contrib import admin

from .models import Site


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "city", "province", "is_active", "verified_by"]
    list_filter = ["kind", "province", "is_active"]
    search_fields = ["name", "code", "city"]
    # Photos change only through the api (decoded, re-encoded, old file removed): shown, not edited here.
    readonly_fields = ["photo", "photo_width", "photo_height"]
