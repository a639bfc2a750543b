from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from dblood.core.demodata import demo_loaders


class Command(BaseCommand):
    help = "Load the demo data (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        loaders = list(demo_loaders())
        logins: list[tuple[str, str, str]] = []
        with tqdm(loaders, desc="demo data", unit="step", file=self.stderr._out) as bar:
            for label, load in bar:
                bar.set_postfix_str(label)
                with transaction.atomic():
                    logins.extend(load() or [])
        if logins:
            self.stdout.write("\nDemo logins (email / password):")
            for role, email, password in logins:
                self.stdout.write(f"  {role:<22} {email:<34} {password}")
