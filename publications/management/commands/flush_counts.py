from django.core.management.base import BaseCommand

from publications.counting import flush_all
from publications.services import sync_ranking


class Command(BaseCommand):
    help = (
        "Write the view and download counts gathered in the cache to the database, and the "
        "ratings given since the last run to the top-rated order (run by cron)."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{flush_all()} counts written.")
        self.stdout.write(f"{sync_ranking()} publications ranked again.")
