from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "dblood.requests"
    label = "requests"
    verbose_name = "Hospital blood requests"
