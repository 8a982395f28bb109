import time
from importlib import import_module

from django.core.management.base import BaseCommand

from frontline.lib.schedule import PERIODIC


class Command(BaseCommand):
    help = "Queue the periodic tasks (model retraining, …) on their intervals, forever."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Queue each task once, exit")

    def handle(self, *args, once, **options):
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
