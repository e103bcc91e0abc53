import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from dialogue_portal.core.freshness import rows_changed
from publications.models import Publication


class Command(BaseCommand):
    help = (
        "Tell the caches about scheduled publications that went live since --since (two "
        "minutes ago by default): the content version moves and the shared cache drops the "
        "pages that show them, so they appear at once rather than when the caches expire "
        "(cron every minute, or the task worker's schedule)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="an ISO 8601 time (default: two minutes ago)")

    def handle(self, *args, since=None, **options):
        try:
            start = dt.datetime.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError(f"--since must be an ISO 8601 time, not {since!r}") from None
        if start is None:
            start = timezone.now() - dt.timedelta(minutes=2)
        elif timezone.is_naive(start):
            start = timezone.make_aware(start)
        live = Publication.objects.published().filter(published_at__gt=start).only("pk", "slug")
        with transaction.atomic():
            rows = list(live)
            if rows:
                rows_changed(rows)
        if options["verbosity"] > 0:
            self.stdout.write(f"{len(rows)} publications went live.")
