from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import BloodRequestViewSet, ReplacementStatusView
from .views_callouts import CallOutViewSet

router = SimpleRouter(trailing_slash=False)
router.register("requests", BloodRequestViewSet, basename="blood-request")
router.register("call-outs", CallOutViewSet, basename="call-out")

urlpatterns = [
    path("public/replacement-codes/<str:code>", ReplacementStatusView.as_view(), name="replacement-status"),
    *router.urls,
]
