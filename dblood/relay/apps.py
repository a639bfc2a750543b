from django.apps import AppConfig


class RelayConfig(AppConfig):
    name = "dblood.relay"
    label = "relay"
    verbose_name = "Contact relay"
