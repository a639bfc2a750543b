from rest_framework.routers import SimpleRouter

from .views import ThreadViewSet

router = SimpleRouter(trailing_slash=False)
router.register("relay/threads", ThreadViewSet, basename="relay-thread")

urlpatterns = router.urls
