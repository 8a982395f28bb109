import time
from importlib import import_module

from django.core.management.base import BaseCommand

from frontline.lib.schedule import PERIODIC, THREADS


class Command(BaseCommand):
    help = "Queue the periodic tasks (model retraining, …) on their intervals, forever."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Queue each task once, exit")
        parser.add_argument(
            "--no-idle", action="store_true", help="Start no background threads (IMAP IDLE)"
        )

    def handle(self, *args, once, no_idle=False, **options):
        if not (once or no_idle):
            for path in THREADS:
                module, name = path.rsplit(".", 1)
                getattr(import_module(module), name)().start()
        due = {path: 0.0 for path, _ in PERIODIC}
        while True:
            now = time.monotonic()
            for path, every in PERIODIC:
                if due[path] <= now:
                    module, name = path.rsplit(".", 1)
                    getattr(import_module(module), name).enqueue()
                    due[path] = now + every
            if once:
                return
            time.sleep(max(1.0, min(due.values()) - time.monotonic()))
