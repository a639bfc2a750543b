from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("donations", views.DonationViewSet, basename="donation")

urlpatterns = [
    path("donations/mine", views.MyDonationsView.as_view(), name="my-donations"),
    path("donations/mine/milestones", views.MyMilestonesView.as_view(), name="my-milestones"),
    path(
        "donations/mine/certificates/<int:milestone>/certificate.pdf",
        views.MyCertificatePdfView.as_view(),
        name="my-certificate-pdf",
    ),
    path("public/certificates/<str:token>", views.CertificateCheckView.as_view(), name="certificate-check"),
    *router.urls,
]
