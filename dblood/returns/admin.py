from django.contrib import admin

from .models import UnitReturn


@admin.register(UnitReturn)
class UnitReturnAdmin(admin.ModelAdmin):
    list_display = ["id", "unit", "hospital", "bank", "returned_at", "minutes_out", "temperature_c", "decision"]
    list_filter = ["decision"]
    readonly_fields = [field.name for field in UnitReturn._meta.fields]
