from django.urls import path
from oauth2_provider.views import TokenView

from . import views

urlpatterns = [
    path("metadata", views.CapabilityStatementView.as_view(), name="fhir-metadata"),
    # OAuth2 client credentials: a hospital system's short-lived token (django-oauth-toolkit).
    path("auth/token", TokenView.as_view(), name="fhir-token"),
    path("ServiceRequest", views.ServiceRequestTypeView.as_view(), name="fhir-servicerequest"),
    path("ServiceRequest/<int:pk>", views.ServiceRequestInstanceView.as_view(), name="fhir-servicerequest-instance"),
    path(
        "BiologicallyDerivedProduct/<int:pk>",
        views.BiologicallyDerivedProductInstanceView.as_view(),
        name="fhir-bdp-instance",
    ),
    path("Observation", views.ObservationTypeView.as_view(), name="fhir-observation"),
    path("AdverseEvent", views.AdverseEventTypeView.as_view(), name="fhir-adverseevent"),
    path("SupplyDelivery/<int:pk>", views.SupplyDeliveryInstanceView.as_view(), name="fhir-supplydelivery-instance"),
]
