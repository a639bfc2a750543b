from django.utils.translation import get_language
from rest_framework import serializers

from .models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    """A message in the reader's language; one sent before messages kept every language reads as it
    was written to its recipient."""

    read = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "data", "created_at", "read_at", "read"]
        read_only_fields = fields

    def _text(self, obj, part: str) -> str:
        language = (get_language() or "").split("-")[0]
        return (obj.texts.get(language) or {}).get(part) or getattr(obj, part)

    def get_title(self, obj) -> str:
        return self._text(obj, "title")

    def get_body(self, obj) -> str:
        return self._text(obj, "body")

    def get_read(self, obj) -> bool:
        return obj.read_at is not None


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class ChannelsSerializer(serializers.Serializer):
    channels = serializers.ListField(child=serializers.ChoiceField(choices=["in_app", "email", "sms", "whatsapp"]))
