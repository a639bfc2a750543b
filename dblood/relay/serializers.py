from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dblood.core.serializers import StrictSerializer
from dblood.requests.serializers import SiteRefSerializer

from .models import Message, Thread


class ThreadSerializer(serializers.ModelSerializer):
    """A conversation, without anyone's phone number or e-mail address."""

    call_out = serializers.IntegerField(source="response.call_out_id", read_only=True)
    request = serializers.IntegerField(source="response.call_out.request_id", read_only=True)
    collection_site = SiteRefSerializer(source="response.call_out.collection_site", read_only=True)
    donor_name = serializers.CharField(source="response.donor.user.full_name", read_only=True)
    answer = serializers.CharField(source="response.answer", read_only=True)
    blocked = serializers.SerializerMethodField()

    class Meta:
        model = Thread
        fields = [
            "id",
            "call_out",
            "request",
            "collection_site",
            "donor_name",
            "answer",
            "blocked",
            "created_at",
            "last_message_at",
        ]
        read_only_fields = fields

    def get_blocked(self, thread) -> bool:
        return thread.blocked_at is not None


class MessageSerializer(serializers.ModelSerializer):
    sender_name = serializers.SerializerMethodField()
    mine = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "side", "sender_name", "mine", "body", "created_at"]
        read_only_fields = fields

    def get_sender_name(self, message) -> str:
        """Staff are shown as their bank or hospital, a donor by name (staff see responders' names)."""
        if message.side == Message.Side.DONOR:
            return self.context["donor_name"]
        return message.sender_site.name if message.sender_site else "dblood"

    def get_mine(self, message) -> bool:
        return message.sender_id == self.context["user"].pk


class ThreadDetailSerializer(ThreadSerializer):
    messages = serializers.SerializerMethodField()

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "messages"]
        read_only_fields = fields

    @extend_schema_field(MessageSerializer(many=True))
    def get_messages(self, thread) -> list[dict]:
        context = {"user": self.context["request"].user, "donor_name": thread.response.donor.user.full_name}
        return MessageSerializer(thread.messages.select_related("sender_site"), many=True, context=context).data


class ThreadOpenSerializer(StrictSerializer):
    response = serializers.IntegerField(min_value=1, help_text="The call-out answer to talk about.")


class MessageSendSerializer(StrictSerializer):
    body = serializers.CharField(max_length=1000, trim_whitespace=True)

    def validate_body(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("Write a message."))
        return value
