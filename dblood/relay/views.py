from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from dblood.core.permissions import IsDonor

from . import services
from .models import Thread
from .permissions import IsRelayParty
from .selectors import threads_visible_to
from .serializers import MessageSendSerializer, ThreadDetailSerializer, ThreadOpenSerializer, ThreadSerializer


@extend_schema(tags=["relay"])
class ThreadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The contact relay: a call-out's responder and the staff of its blood bank (or verified hospital)
    write to each other without seeing each other's phone number or e-mail. Messages are deleted
    RELAY_RETENTION_DAYS after they were written."""

    permission_classes = [IsRelayParty]
    serializer_class = ThreadSerializer
    lookup_value_regex = r"\d+"
    queryset = Thread.objects.none()  # for the schema; requests use get_queryset

    def get_permissions(self):
        if self.action in ("block", "unblock"):
            return [IsDonor()]
        return super().get_permissions()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        threads = threads_visible_to(self.request.user)
        call_out = self.request.query_params.get("call_out")
        if self.action == "list" and call_out and call_out.isdigit():
            threads = threads.filter(response__call_out_id=int(call_out))
        return threads

    def get_serializer_class(self):
        return ThreadDetailSerializer if self.action != "list" else ThreadSerializer

    def _render(self, thread_id: int, http_status=status.HTTP_200_OK) -> Response:
        thread = self.get_queryset().get(pk=thread_id)
        return Response(ThreadDetailSerializer(thread, context={"request": self.request}).data, status=http_status)

    @extend_schema(parameters=[OpenApiParameter("call_out", int, description="Only this call-out's conversations.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ThreadOpenSerializer,
        responses={200: ThreadDetailSerializer, 201: ThreadDetailSerializer},
        description="The conversation about one call-out answer, opened on first use.",
    )
    def create(self, request):
        serializer = ThreadOpenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        thread, created = services.thread_open(response_id=serializer.validated_data["response"], by=request.user)
        return self._render(thread.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=MessageSendSerializer, responses={201: ThreadDetailSerializer})
    @action(detail=True, methods=["post"])
    def messages(self, request, pk=None):
        serializer = MessageSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.message_send(thread_id=int(pk), by=request.user, body=serializer.validated_data["body"])
        return self._render(message.thread_id, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: ThreadDetailSerializer})
    @action(detail=True, methods=["post"])
    def block(self, request, pk=None):
        """The donor stops staff messages in this conversation."""
        return self._render(services.thread_block(thread_id=int(pk), by=request.user, blocked=True).pk)

    @extend_schema(request=None, responses={200: ThreadDetailSerializer})
    @action(detail=True, methods=["post"])
    def unblock(self, request, pk=None):
        return self._render(services.thread_block(thread_id=int(pk), by=request.user, blocked=False).pk)
