from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "dblood.inventory"
    label = "inventory"
