from django.urls import path
from rest_framework.routers import SimpleRouter

from .callbacks import SmsCallbackView, WhatsAppCallbackView
from .views import ChannelsView, NotificationViewSet

router = SimpleRouter(trailing_slash=False)
router.register("notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("notifications/channels", ChannelsView.as_view(), name="notification-channels"),
    path("notifications/callbacks/sms", SmsCallbackView.as_view(), name="callback-sms"),
    path("notifications/callbacks/whatsapp", WhatsAppCallbackView.as_view(), name="callback-whatsapp"),
    *router.urls,
]
