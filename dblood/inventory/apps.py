from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "dblood.inventory"
    label = "inventory"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from dblood.core.answers import changed_with

        from .components import forget_on_save
        from .models import BloodUnit, ComponentType
        from .selectors import UNITS_SCOPE

        post_save.connect(forget_on_save, sender=ComponentType, dispatch_uid="component_types_forget_save")
        post_delete.connect(forget_on_save, sender=ComponentType, dispatch_uid="component_types_forget_delete")
        # The stock table's columns are the component types that have a shelf life.
        changed_with(UNITS_SCOPE, ComponentType)

        # A unit saved or deleted one by one (a donation's new units, the admin); the services'
        # bulk writes call stock.invalidate, which changes the same scope.
        changed_with(UNITS_SCOPE, BloodUnit)
