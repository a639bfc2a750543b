import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from dblood.notifications.worker import run_due_work


class Command(BaseCommand):
    help = "Run the due background work in a loop (the compose `worker` service). SIGTERM stops it cleanly."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between runs (default 30)")
        parser.add_argument("--max-runs", type=int, default=0, help="stop after this many runs (0: never)")

    def handle(self, *args, interval: float, max_runs: int, **options):
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        runs = 0
        self.stdout.write(f"worker: running due work every {interval:g}s")
        while not stop.is_set():
            close_old_connections()
            results = run_due_work()
            runs += 1
            busy = {job: count for job, count in results.items() if count}
            if busy:
                self.stdout.write(f"worker: {busy}")
            if max_runs and runs >= max_runs:
                break
            stop.wait(interval)
        self.stdout.write("worker: stopped")
