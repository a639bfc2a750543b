from django.urls import path
from rest_framework.routers import SimpleRouter

from . import duplicate_views, views

router = SimpleRouter(trailing_slash=False)
router.register("donors", views.DonorViewSet, basename="donor")
router.register("deferral-reasons", views.DeferralReasonViewSet, basename="deferral-reason")
router.register("donor-duplicates", duplicate_views.DuplicatePairViewSet, basename="donor-duplicate")
router.register("donor-merges", duplicate_views.DonorMergeViewSet, basename="donor-merge")

urlpatterns = [
    path("donors/me", views.DonorMeView.as_view(), name="donor-me"),
    path("donors/me/eligibility", views.DonorEligibilityView.as_view(), name="donor-me-eligibility"),
    path("donors/me/deferrals", views.DonorMeDeferralsView.as_view(), name="donor-me-deferrals"),
    *router.urls,
]
