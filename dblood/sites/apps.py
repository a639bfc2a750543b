from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "dblood.sites"
    label = "sites"
    verbose_name = "Blood banks and hospitals"
