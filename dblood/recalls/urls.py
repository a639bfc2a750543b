from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("recalls", views.RecallViewSet, basename="recall")

urlpatterns = router.urls
