from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dblood.reports"
    label = "reports"
    verbose_name = "Reports"
