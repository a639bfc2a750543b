from django.contrib import admin

from .models import Excursion, StorageLocation, TemperatureReading


@admin.register(StorageLocation)
class StorageLocationAdmin(admin.ModelAdmin):
    list_display = ["site", "code", "name", "kind", "min_c", "max_c", "is_active"]
    list_filter = ["kind", "is_active", "site"]
    exclude = ["device_token_hash"]


@admin.register(TemperatureReading)
class TemperatureReadingAdmin(admin.ModelAdmin):
    list_display = ["location", "taken_at", "temperature_c", "in_range", "source"]
    list_filter = ["in_range", "source"]
    readonly_fields = [f.name for f in TemperatureReading._meta.fields]


@admin.register(Excursion)
class ExcursionAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "site", "location", "temperature_c", "status", "opened_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [f.name for f in Excursion._meta.fields]
