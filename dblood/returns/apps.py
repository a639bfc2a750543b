from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "dblood.returns"
    label = "returns"
    verbose_name = "Returned units"
