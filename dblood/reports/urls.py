from django.urls import path

from .views import VIEWS, HaemovigilanceExportView

urlpatterns = [
    path("reports/haemovigilance-export.csv", HaemovigilanceExportView.as_view(), name="haemovigilance-export"),
    *(
        route
        for name, (json_view, csv_view, xlsx_view) in VIEWS.items()
        for route in (
            path(f"reports/{name}", json_view.as_view(), name=f"report-{name}"),
            path(f"reports/{name}.csv", csv_view.as_view(), name=f"report-{name}-csv"),
            path(f"reports/{name}.xlsx", xlsx_view.as_view(), name=f"report-{name}-xlsx"),
        )
    ),
]
