from django.apps import AppConfig


class ColdchainConfig(AppConfig):
    name = "dblood.coldchain"
    label = "coldchain"
    verbose_name = "Cold chain"
