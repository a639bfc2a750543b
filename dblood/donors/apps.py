from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "dblood.donors"
    label = "donors"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from .eligibility import forget_profile
        from .models import EligibilityProfile

        post_save.connect(forget_profile, sender=EligibilityProfile, dispatch_uid="donors.forget_profile_saved")
        post_delete.connect(forget_profile, sender=EligibilityProfile, dispatch_uid="donors.forget_profile_deleted")
