from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("donations", views.DonationViewSet, basename="donation")

urlpatterns = [
    path("donations/mine", views.MyDonationsView.as_view(), name="my-donations"),
    *router.urls,
]
