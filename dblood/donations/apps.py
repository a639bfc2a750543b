from django.apps import AppConfig


class DonationsConfig(AppConfig):
    name = "dblood.donations"
    label = "donations"
