from django.contrib import admin

from .models import BloodUnit, ComponentType, LabelPrint, Transfer, UnitEvent


@admin.register(ComponentType)
class ComponentTypeAdmin(admin.ModelAdmin):
    """The rules every separation, expiry, match and call-out reads: an edit applies without a code change."""

    list_display = [
        "code",
        "name_en",
        "name_id",
        "shelf_life",
        "shelf_life_period",
        "max_hours_to_processing",
        "consumes",
        "compatibility",
    ]


class UnitEventInline(admin.TabularInline):
    model = UnitEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "at", "by", "reason"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class LabelPrintInline(admin.TabularInline):
    """Every label printed for the unit (the record is the api's alone: nothing is added or changed here)."""

    model = LabelPrint
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "by_email", "format", "kind", "changed"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(BloodUnit)
class BloodUnitAdmin(admin.ModelAdmin):
    list_display = ["donation", "component", "abo", "rhd", "site", "state", "expires_at"]
    list_filter = ["state", "component", "abo", "rhd", "site"]
    search_fields = ["donation__din"]
    list_select_related = ["donation", "site"]
    raw_id_fields = ["donation"]
    # State changes only through inventory.services.unit_transition (audit trail, stock cache).
    readonly_fields = ["state", "state_changed_at", "discard_reason", "issued_to", "issued_at"]
    inlines = [UnitEventInline, LabelPrintInline]


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ["unit", "from_site", "to_site", "status", "requested_at", "sent_at", "received_at"]
    list_filter = ["status", "from_site", "to_site"]
    raw_id_fields = ["unit"]
    readonly_fields = [
        "status",
        "reserved",
        "requested_at",
        "requested_by",
        "sent_at",
        "sent_by",
        "received_at",
        "received_by",
        "closed_at",
        "closed_reason",
    ]
