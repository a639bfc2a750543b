from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from dblood.inventory.services import expired_units, unit_expire


class Command(BaseCommand):
    help = "Mark every unit past its expiry EXPIRED (idempotent: safe to run as often as you like)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for cron logs).")

    def handle(self, *args, no_progress=False, **options):
        now = timezone.now()
        due = list(expired_units(now=now).values_list("pk", flat=True))
        expired = 0
        with tqdm(total=len(due), desc="expiry sweep", unit="unit", file=self.stderr._out, disable=no_progress) as bar:
            for pk in due:
                # One transaction per unit: a concurrent issue of one bag never blocks or undoes the rest.
                if unit_expire(unit_id=pk, now=now):
                    expired += 1
                bar.update(1)
        self.stdout.write(f"{expired} unit(s) expired, {len(due) - expired} skipped (moved on meanwhile).")
