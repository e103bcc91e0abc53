import signal
import threading

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from dialogue_portal.schedule.jobs import JOBS, enqueue_due


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs for the task worker, each once a period however many "
        f"schedulers run ({', '.join(JOBS)}). Runs until stopped (SIGTERM or SIGINT: the "
        "pass under way ends first), looking every few seconds."
    )
    requires_system_checks = []  # a long-running service, started beside checked nodes

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
        stop = threading.Event()
        if not once:
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
        while not stop.is_set():
            try:
                enqueued = enqueue_due(every=every)
            except DatabaseError as error:
                if once:
                    raise
                # The primary restarting or failing over: look again next time.
                self.stderr.write(f"the schedule could not look: {error}")
                connections.close_all()
                stop.wait(interval)
                continue
            if enqueued and options["verbosity"] > 0:
                self.stdout.write(f"enqueued: {', '.join(enqueued)}")
            if once:
                return
            stop.wait(interval)
