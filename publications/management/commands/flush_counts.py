from django.core.management.base import BaseCommand

from publications.counting import flush_all


class Command(BaseCommand):
    help = "Write the view and download counts gathered in the cache to the database (run by cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"{flush_all()} counts written.")
