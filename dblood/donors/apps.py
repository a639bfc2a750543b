from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "dblood.donors"
    label = "donors"
