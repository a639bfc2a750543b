"""Who may see which donors, and whose phone and e-mail.

Donors: a donor sees themselves; blood-bank staff the donors who have appointments or donations at
their sites; admins everyone.

Contacts (phone and e-mail), one rule (`contact_visible`): a donor's own, and an admin's; a bank's
staff see them for a donor who gave blood at one of their banks (the bank must be able to reach
them: a result to discuss, a recall) or who chose `share_contact`; nobody else, not even staff who
see the donor because of an appointment.
"""

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value

from .models import Donor


def donors_visible_to(user) -> QuerySet[Donor]:
    """The donors `user` may see, each annotated with `gave_here` (used by `contact_visible`)."""
    donors = Donor.objects.select_related("user")
    if not user.is_authenticated:
        return donors.none()
    if user.is_admin:
        return donors.annotate(gave_here=Value(True, output_field=BooleanField()))
    if user.is_blood_bank_staff:
        sites = user.site_ids
        ids = Donor.objects.filter(
            Q(appointments__slot__drive__organiser_id__in=sites) | Q(donations__site_id__in=sites)
        ).values("id")
        return donors.filter(id__in=ids).annotate(gave_here=gave_at(sites))
    return donors.filter(user=user).annotate(gave_here=Value(True, output_field=BooleanField()))


def gave_at(site_ids) -> Exists:
    """Annotation: the donor has a donation collected at one of these sites."""
    donation = Donor._meta.get_field("donations").related_model
    return Exists(donation.objects.filter(donor_id=OuterRef("pk"), site_id__in=list(site_ids)))


def contact_visible(donor: Donor) -> bool:
    """May the reader see this donor's phone and e-mail? `donor` comes from `donors_visible_to`
    (or carries `gave_here` itself); without the annotation only the donor's own choice counts."""
    return bool(donor.share_contact or getattr(donor, "gave_here", False))


def duplicate_pairs_visible_to(user):
    """Likely-duplicate pairs `user` may review and merge: an admin every pair; a bank's staff the
    pairs with at least one record they may see (they are the desk that meets the donor)."""
    from .models import DuplicatePair

    pairs = DuplicatePair.objects.all()
    if user.is_authenticated and user.is_admin:
        return pairs
    if not (user.is_authenticated and user.is_blood_bank_staff):
        return pairs.none()
    visible = donors_visible_to(user).values("id")
    return pairs.filter(Q(first__in=visible) | Q(second__in=visible))


def merges_visible_to(user):
    """Merges `user` may see and undo: an admin all; a bank's staff those of a record they may see."""
    from .models import DonorMerge

    merges = DonorMerge.objects.all()
    if user.is_authenticated and user.is_admin:
        return merges
    if not (user.is_authenticated and user.is_blood_bank_staff):
        return merges.none()
    visible = donors_visible_to(user).values("id")
    return merges.filter(Q(survivor__in=visible) | Q(merged__in=visible))
