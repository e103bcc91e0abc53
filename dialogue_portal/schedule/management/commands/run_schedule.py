import time

from django.core.management.base import BaseCommand

from dialogue_portal.schedule.jobs import JOBS, enqueue_due


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs for the task worker, each once a period however many "
        f"schedulers run ({', '.join(JOBS)}). Runs until stopped, looking every few seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between looks (5)")
        parser.add_argument("--once", action="store_true", help="look once, then exit")
        parser.add_argument(
            "--every",
            type=int,
            metavar="SECONDS",
            help="give every job this period instead of its own (to watch the schedule work)",
        )

    def handle(self, *args, interval, once, every, **options):
        while True:
            enqueued = enqueue_due(every=every)
            if enqueued and options["verbosity"] > 0:
                self.stdout.write(f"enqueued: {', '.join(enqueued)}")
            if once:
                return
            time.sleep(interval)
