from django.urls import path
from rest_framework.routers import SimpleRouter

from .appointment_views import AppointmentViewSet
from .views import DriveViewSet, QuestionnaireView

router = SimpleRouter(trailing_slash=False)
router.register("drives", DriveViewSet, basename="drive")
router.register("appointments", AppointmentViewSet, basename="appointment")

urlpatterns = [
    path("questionnaire", QuestionnaireView.as_view(), name="questionnaire"),
    *router.urls,
]
