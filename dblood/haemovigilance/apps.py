from django.apps import AppConfig


class HaemovigilanceConfig(AppConfig):
    name = "dblood.haemovigilance"
    label = "haemovigilance"
    verbose_name = "Haemovigilance"
