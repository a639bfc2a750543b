from django.apps import AppConfig


class DrivesConfig(AppConfig):
    name = "dblood.drives"
    label = "drives"
