from django.core.management.base import BaseCommand

from dialogue_portal.oai.services import refresh_all


class Command(BaseCommand):
    help = (
        "Check every publication's OAI record and move the datestamps of those that changed "
        "(a first fill, or after changes made outside the admin)."
    )

    def handle(self, *args, **options):
        checked = refresh_all()
        if options["verbosity"]:
            self.stdout.write(f"{checked} publications checked.")
