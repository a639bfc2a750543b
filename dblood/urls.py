from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from dblood.accounts import views as accounts_views
from dblood.core import views as core_views

# Django tries these in order for every request: the busiest public reads (stock, blood banks,
# drives) come first, so resolving them does not walk every other app's routes. No two apps share
# a route, so the order changes nothing else.
api_v1 = [
    path("", include("dblood.inventory.urls")),
    path("", include("dblood.sites.urls")),
    path("", include("dblood.drives.urls")),
    path("", include("dblood.donors.urls")),
    path("", include("dblood.accounts.urls")),
    path("", include("dblood.donations.urls")),
    path("", include("dblood.requests.urls")),
    path("", include("dblood.notifications.urls")),
    path("", include("dblood.audit.urls")),
    path("", include("dblood.recalls.urls")),
    path("", include("dblood.returns.urls")),
    path("", include("dblood.haemovigilance.urls")),
    path("", include("dblood.reports.urls")),
    path("", include("dblood.relay.urls")),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("api/v1/", include(api_v1)),
    path("fhir/r4/", include("dblood.fhir.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Both pages work under the api's HTML Content Security Policy: Swagger UI's settings come
    # from a script URL (the split view), Redoc's page has no inline script and no Google Fonts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path(
        "api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="dblood/redoc.html"), name="redoc"
    ),
    # Before the admin's own URLs: its sign-in has the api login's throttles.
    path("admin/login/", accounts_views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler400 = "dblood.core.errors.handler400"
handler403 = "dblood.core.errors.handler403"
handler404 = "dblood.core.errors.handler404"
handler500 = "dblood.core.errors.handler500"
