from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from dblood.inventory.services import expired_units, units_expire_due


class Command(BaseCommand):
    help = "Mark every unit past its expiry EXPIRED (idempotent: safe to run as often as you like)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for cron logs).")

    def handle(self, *args, no_progress=False, **options):
        now = timezone.now()
        total = expired_units(now=now).count()
        with tqdm(total=total, desc="expiry sweep", unit="unit", file=self.stderr._out, disable=no_progress) as bar:
            expired = units_expire_due(now=now, progress=bar.update)
        self.stdout.write(f"{expired} unit(s) expired, {total - expired} skipped (moved on meanwhile).")
