import os
from contextlib import nullcontext

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from dblood.core.demodata import DEMO_PASSWORD, demo_loaders

MIN_PASSWORD = 12


def _production_password(allowed: bool) -> str:
    """Under production settings the demo is refused unless forced, and then its accounts get the
    operator's DEMO_PASSWORD, never the README's: a public password on a superuser is a way in."""
    if not allowed:
        raise CommandError(
            "Refused under production settings: the demo creates a superuser. "
            "Pass --allow-production (with DEMO_PASSWORD set) if this really is a demo server."
        )
    password = os.environ.get("DEMO_PASSWORD", "")
    if len(password) < MIN_PASSWORD or password == DEMO_PASSWORD:
        raise CommandError(
            f"Under production settings, set DEMO_PASSWORD ({MIN_PASSWORD}+ characters, not the README's)."
        )
    return password


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it again changes nothing). Refused under production settings."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production", action="store_true", help="Load under production settings (needs DEMO_PASSWORD)."
        )

    def handle(self, *args, **options):
        password = _production_password(options["allow_production"]) if settings.PRODUCTION else None
        loaders = list(demo_loaders())
        logins: list[tuple[str, str, str]] = []
        # In production one transaction: no moment where a demo account has the README's password.
        with transaction.atomic() if password else nullcontext():
            with tqdm(loaders, desc="demo data", unit="step", file=self.stderr._out) as bar:
                for label, load in bar:
                    bar.set_postfix_str(label)
                    with transaction.atomic():
                        logins.extend(load() or [])
            if password:
                for user in get_user_model().objects.filter(email__in=[email for _, email, _ in logins]):
                    user.set_password(password)
                    user.save(update_fields=["password"])
                logins = [(role, email, "(DEMO_PASSWORD)") for role, email, _ in logins]
        if logins:
            self.stdout.write("\nDemo logins (email / password):")
            for role, email, shown in logins:
                self.stdout.write(f"  {role:<22} {email:<34} {shown}")
