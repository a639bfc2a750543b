from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dblood.core"
    label = "core"
    verbose_name = "dblood core"
