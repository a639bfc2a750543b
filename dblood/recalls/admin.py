from django.contrib import admin

from .models import Recall, RecallUnit


class RecallUnitInline(admin.TabularInline):
    model = RecallUnit
    extra = 0
    can_delete = False
    readonly_fields = ["unit", "state_at_trace", "action", "site", "transfer", "notified"]


@admin.register(Recall)
class RecallAdmin(admin.ModelAdmin):
    list_display = ["id", "site", "status", "opened_at", "closed_at"]
    list_filter = ["status"]
    readonly_fields = ["donation", "site", "window_start", "opened_at", "opened_by", "closed_at", "closed_by"]
    inlines = [RecallUnitInline]
