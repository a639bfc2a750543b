from django.apps import AppConfig


class DrivesConfig(AppConfig):
    name = "dblood.drives"
    label = "drives"

    def ready(self) -> None:
        from dblood.core.answers import changed_with
        from dblood.sites.models import Site

        from .models import Drive, Slot
        from .selectors import DRIVES_SCOPE

        # A search answer shows drives, their slots and the organiser's and site's names. Free
        # places change only where a place is taken or released (appointments._take and
        # _release_place, which say so themselves) or with the drive (a cancellation): an
        # appointment's other saves (answers, check-in) leave searches alone.
        changed_with(DRIVES_SCOPE, Drive, Slot, Site)
