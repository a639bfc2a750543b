from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from . import channels, services
from .models import Notification
from .serializers import ChannelsSerializer, MarkedSerializer, NotificationSerializer, UnreadCountSerializer


class ChannelsView(APIView):
    """Which channels this service can reach donors on now: in the app and by e-mail always, SMS
    and WhatsApp when their provider is configured. Public: a sign-up page may show them."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: ChannelsSerializer}, tags=["notifications"])
    def get(self, request):
        return Response({"channels": ["in_app", "email", *channels.available()]})


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in user's inbox, newest first. `?unread=true` lists only unread messages."""

    permission_classes = [IsAuthenticated]
    serializer_class = NotificationSerializer

    queryset = Notification.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        queryset = Notification.objects.filter(user=self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            queryset = queryset.filter(read_at__isnull=True)
        return queryset

    @extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread messages.")],
        tags=["notifications"],
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(tags=["notifications"])
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @extend_schema(request=None, responses={200: UnreadCountSerializer}, tags=["notifications"])
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        count = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
        return Response({"unread": count})

    @extend_schema(request=None, responses={200: NotificationSerializer}, tags=["notifications"])
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.notification_mark_read(user=request.user, notification_id=self.get_object().pk)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: MarkedSerializer}, tags=["notifications"])
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.notification_mark_all_read(user=request.user)})
