import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from dblood.notifications.worker import URGENT_BOUND, URGENT_INTERVAL, worker_loop


class Command(BaseCommand):
    help = "Run the due background work in a loop (the compose `worker` service). SIGTERM stops it cleanly."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between runs (default 30)")
        parser.add_argument(
            "--urgent-interval",
            type=float,
            default=URGENT_INTERVAL,
            help=f"seconds between the emergency e-mail runs (default {URGENT_INTERVAL:g}, under {URGENT_BOUND:g})",
        )
        parser.add_argument("--max-runs", type=int, default=0, help="stop after this many runs (0: never)")

    def handle(self, *args, interval: float, urgent_interval: float, max_runs: int, **options):
        if not 0 < urgent_interval < URGENT_BOUND:
            raise CommandError(f"--urgent-interval must be between 0 and {URGENT_BOUND:g} seconds")
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write(f"worker: running due work every {interval:g}s, emergency e-mails every {urgent_interval:g}s")

        def report(results: dict[str, int]) -> None:
            close_old_connections()
            busy = {job: count for job, count in results.items() if count}
            if busy:
                self.stdout.write(f"worker: {busy}")

        close_old_connections()
        worker_loop(stop=stop, interval=interval, urgent_interval=urgent_interval, max_runs=max_runs, report=report)
        self.stdout.write("worker: stopped")
