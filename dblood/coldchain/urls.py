from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("storage-locations", views.StorageLocationViewSet, basename="storage-location")
router.register("excursions", views.ExcursionViewSet, basename="excursion")
router.register("reconciliations", views.ReconciliationViewSet, basename="reconciliation")

urlpatterns = [
    path("device-readings", views.DeviceReadingView.as_view(), name="device-reading"),
    path("unit-moves", views.UnitMoveView.as_view(), name="unit-move"),
    *router.urls,
]
