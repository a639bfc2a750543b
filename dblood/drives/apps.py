from django.apps import AppConfig


class DrivesConfig(AppConfig):
    name = "dblood.drives"
    label = "drives"

    def ready(self) -> None:
        from dblood.core.answers import changed_with
        from dblood.sites.models import Site

        from .models import Appointment, Drive, Slot
        from .selectors import DRIVES_SCOPE

        # A search answer shows drives, their slots' free places (an appointment takes or frees
        # one) and the organiser's and site's names.
        changed_with(DRIVES_SCOPE, Drive, Slot, Appointment, Site)
