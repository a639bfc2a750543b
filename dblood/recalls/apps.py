from django.apps import AppConfig


class RecallsConfig(AppConfig):
    name = "dblood.recalls"
    label = "recalls"
    verbose_name = "Lookback and recall"
