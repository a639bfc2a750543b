"""Demo accounts: an admin and the people of every role (sites come from dblood.sites.demo)."""

from dblood.core.demodata import DEMO_PASSWORD

from .models import User


def ensure_user(email: str, full_name: str, role: str, **extra) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "role": role, **extra})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def load():
    ensure_user("admin@dblood.local", "Admin Demo", User.Role.ADMIN, is_staff=True, is_superuser=True)
    ensure_user("donor@dblood.local", "Dewi Donor", User.Role.DONOR, language=User.Language.ID)
    return [
        ("admin", "admin@dblood.local", DEMO_PASSWORD),
        ("donor", "donor@dblood.local", DEMO_PASSWORD),
    ]
