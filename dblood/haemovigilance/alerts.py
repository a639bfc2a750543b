"""Who hears of a haemovigilance event: the bank's medical officers (a site membership role), or,
where a bank has named none, every active staff member of that bank, so an alert is never lost.
In-app and e-mail, through the notifications catalogue."""

from dblood.accounts.models import Membership, User
from dblood.notifications.messages import notify


def medical_officers(site_id: int) -> list[User]:
    members = User.objects.filter(
        memberships__site_id=site_id, role=User.Role.BLOOD_BANK_STAFF, is_active=True
    ).distinct()
    officers = list(members.filter(memberships__role=Membership.Role.MEDICAL_OFFICER, memberships__site_id=site_id))
    return officers or list(members)


def alert_medical_officers(*, site_id: int, kind: str, key: str, data: dict, **params) -> int:
    """Send catalogue message `kind` once per person for event `key`; how many were sent."""
    return sum(
        notify(user=user, kind=kind, key=key, data=data, **params) is not None for user in medical_officers(site_id)
    )
