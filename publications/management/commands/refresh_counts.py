import time

from django.conf import settings
from django.core.management.base import BaseCommand

from publications.facets import active_filters, query_dict, refresh_counts
from publications.filters import PublicationFilter
from publications.models import Publication


def active_for(sent):
    """The active filters of the list as a reader sent them (``facets.sent_filters``)."""
    filterset = PublicationFilter(query_dict(sent), queryset=Publication.objects.published())
    return active_filters(filterset)


class Command(BaseCommand):
    help = (
        "Count again the facet counts readers found stale, and the unfiltered counts of "
        "each language, so that no reader waits for counts that take long to count "
        "(cron every minute, or a process of its own with --every)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="keep running, starting a pass this many seconds after the last began",
        )

    def handle(self, *args, every=None, **options):
        languages = [code for code, _name in settings.LANGUAGES]
        while True:
            started = time.monotonic()
            counted = refresh_counts(active_for, languages)
            elapsed = time.monotonic() - started
            if options["verbosity"] > 0:
                self.stdout.write(f"{counted} sets of counts counted in {elapsed:.1f}s.")
            if every is None:
                return
            time.sleep(max(0.0, every - elapsed))
