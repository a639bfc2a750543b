from django.contrib import admin

from .models import DonorComplication, ReactionUnit, TransfusionReaction


@admin.register(DonorComplication)
class DonorComplicationAdmin(admin.ModelAdmin):
    list_display = ["id", "donation", "site", "status", "category", "severity", "onset", "outcome", "occurred_at"]
    list_filter = ["status", "severity", "category"]
    readonly_fields = [field.name for field in DonorComplication._meta.fields]


class ReactionUnitInline(admin.TabularInline):
    model = ReactionUnit
    readonly_fields = ["unit", "recall", "deferral"]
    extra = 0
    can_delete = False


@admin.register(TransfusionReaction)
class TransfusionReactionAdmin(admin.ModelAdmin):
    list_display = ["id", "hospital", "bank", "status", "category", "severity", "imputability", "reported_at"]
    list_filter = ["status", "severity", "category"]
    readonly_fields = [field.name for field in TransfusionReaction._meta.fields]
    inlines = [ReactionUnitInline]
