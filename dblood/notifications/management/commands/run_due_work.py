from django.core.management.base import BaseCommand

from dblood.notifications.worker import run_due_work


class Command(BaseCommand):
    help = "Run the due background work once: reminders, call-out batches, recruitment, emails."

    def handle(self, *args, **options):
        for job, count in run_due_work().items():
            self.stdout.write(f"{job}: {'FAILED' if count < 0 else count}")
