from rest_framework.routers import SimpleRouter

from .views import BloodRequestViewSet
from .views_callouts import CallOutViewSet

router = SimpleRouter(trailing_slash=False)
router.register("requests", BloodRequestViewSet, basename="blood-request")
router.register("call-outs", CallOutViewSet, basename="call-out")

urlpatterns = router.urls
