from django.contrib import admin

from .models import Delivery, Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "title"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """What the providers were asked and answered; read only (the worker and the callbacks write it)."""

    list_display = ["notification", "channel", "to", "state", "attempts", "sent_at", "status_at"]
    list_filter = ["channel", "state"]
    search_fields = ["to", "provider_message_id", "notification__user__email"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
