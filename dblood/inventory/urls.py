from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("units", views.UnitViewSet, basename="unit")
router.register("transfers", views.TransferViewSet, basename="transfer")

urlpatterns = [
    path("stock", views.StockView.as_view(), name="stock"),
    path("stock.csv", views.StockCsvView.as_view(), name="stock-csv"),
    *router.urls,
]
