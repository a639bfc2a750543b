from django.contrib import admin

from .models import Thread


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    """Who talked about which call-out answer, and when; the messages themselves stay out of the admin."""

    list_display = ["id", "response", "created_at", "last_message_at", "blocked_at"]
    readonly_fields = ["response", "created_at", "last_message_at", "blocked_at"]
