import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dialogue_portal.audit.models import Entry


class Command(BaseCommand):
    help = (
        "Delete audit trail rows older than AUDIT_RETENTION_DAYS (run it daily from cron). "
        "AUDIT_RETENTION_DAYS=0 keeps every row."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="say how many rows would go, delete none"
        )

    def handle(self, *args, dry_run=False, **options):
        days = settings.AUDIT_RETENTION_DAYS
        if days < 0:
            raise CommandError("AUDIT_RETENTION_DAYS cannot be negative.")
        if days == 0:
            self.stdout.write("AUDIT_RETENTION_DAYS is 0: every row is kept.")
            return
        cutoff = timezone.now() - dt.timedelta(days=days)
        old = Entry.objects.older_than(cutoff)
        if dry_run:
            self.stdout.write(f"{old.count()} audit rows older than {days} days would be deleted.")
            return
        deleted, _ = old.delete()
        self.stdout.write(f"{deleted} audit rows older than {days} days deleted.")
