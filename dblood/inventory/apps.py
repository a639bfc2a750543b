from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "dblood.inventory"
    label = "inventory"

    def ready(self) -> None:
        from dblood.core.answers import changed_with

        from .models import BloodUnit
        from .selectors import UNITS_SCOPE

        # A unit saved or deleted one by one (a donation's new units, the admin); the services'
        # bulk writes call stock.invalidate, which changes the same scope.
        changed_with(UNITS_SCOPE, BloodUnit)
