from django.apps import AppConfig


class DonorsConfig(AppConfig):
    name = "dblood.donors"
    label = "donors"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from dblood.core.answers import changed_with
        from dblood.donations.models import Donation

        from . import identity  # noqa: F401  (registers the NIK keys' system check)
        from .eligibility import eligibility_scopes_of, forget_profile, profile_scope
        from .models import Deferral, Donor, EligibilityProfile

        post_save.connect(forget_profile, sender=EligibilityProfile, dispatch_uid="donors.forget_profile_saved")
        post_delete.connect(forget_profile, sender=EligibilityProfile, dispatch_uid="donors.forget_profile_deleted")
        # A donor's cached eligibility answers: their profile, donations and deferrals, and the rules.
        changed_with(eligibility_scopes_of, Donor, Donation, Deferral)
        changed_with(lambda profile: (profile_scope(profile.code),), EligibilityProfile)
