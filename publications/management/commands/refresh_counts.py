import time

from django.conf import settings
from django.core.management.base import BaseCommand

from publications import ranked, refresher
from publications.facets import active_filters, count_again, query_dict, refresh_unfiltered
from publications.filters import PublicationFilter
from publications.models import Publication


def active_for(sent):
    """The active filters of the list as a reader sent them (``facets.sent_filters``)."""
    filterset = PublicationFilter(query_dict(sent), queryset=Publication.objects.published())
    return active_filters(filterset)


class Command(BaseCommand):
    help = (
        "Count again the facet counts readers found stale, and the unfiltered counts of "
        "each language, and rank again the search results readers found stale, so that "
        "no reader waits for counts or rankings that take long "
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
        handlers = {"counts": count_again(active_for), "ranked": ranked.rank_again}
        while True:
            started = time.monotonic()
            done = refresh_unfiltered(languages) + refresher.drain(handlers)
            elapsed = time.monotonic() - started
            if options["verbosity"] > 0:
                self.stdout.write(f"{done} sets of counts and rankings renewed in {elapsed:.1f}s.")
            if every is None:
                return
            time.sleep(max(0.0, every - elapsed))
