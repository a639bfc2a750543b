from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("donor-complications", views.DonorComplicationViewSet, basename="donor-complication")
router.register("transfusion-reactions", views.TransfusionReactionViewSet, basename="transfusion-reaction")

urlpatterns = [
    path("donor-complications/mine", views.MyComplicationsView.as_view(), name="my-donor-complications"),
    *router.urls,
]
