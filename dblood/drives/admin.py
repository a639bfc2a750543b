from django.contrib import admin

from .models import Appointment, Drive, Questionnaire, Slot


class SlotInline(admin.TabularInline):
    model = Slot
    extra = 0
    fields = ["starts_at", "ends_at", "capacity", "booked"]
    readonly_fields = ["booked"]


@admin.register(Drive)
class DriveAdmin(admin.ModelAdmin):
    list_display = ["name", "date", "start_time", "end_time", "organiser", "city", "status"]
    list_filter = ["status", "organiser", "province"]
    search_fields = ["name", "city", "location_name"]
    date_hierarchy = "date"
    raw_id_fields = ["created_by"]
    inlines = [SlotInline]


@admin.register(Appointment)
class AppointmentAdmin(admin.ModelAdmin):
    list_display = ["donor", "slot", "date", "donation_type", "status", "walk_in"]
    list_filter = ["status", "walk_in", "donation_type"]
    search_fields = ["donor__donor_number", "donor__user__email"]
    raw_id_fields = ["donor", "slot", "checked_in_by", "rescheduled_to"]
    readonly_fields = ["answers", "flags", "answered_at"]


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    """Publish a change as a new version (answers refer to the version they answered)."""

    list_display = ["version", "is_active", "published_at"]
