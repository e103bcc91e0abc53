"""python manage.py load_demo: the demo content of every app, idempotent.

The core content (institutions, people, terms, publications, polls, demo logins) comes
first, then each app's own demo, in the order of ``LOADERS``. Each loader is a callable
``load(stdout)`` that creates what is missing, leaves what an editor changed, and writes
what it did (and what it skipped) to ``stdout``.
"""

from django.core.management.base import BaseCommand

from dialogue_portal.demo import loader
from dialogue_portal.demo import pages as demo_pages
from dialogue_portal.desk import demo as desk_demo
from dialogue_portal.newsletter import demo as newsletter_demo
from dialogue_portal.staff import demo as staff_demo
from dialogue_portal.twofactor import demo as twofactor_demo

# ---------------------------------------------------------------------------------------
# The loaders, in order: each app with demo content adds its ``demo.load`` here, after
# the core content it builds on.
LOADERS = [
    loader.load,
    demo_pages.load,
    staff_demo.load,
    desk_demo.load,
    newsletter_demo.load,
    # Last: every demo login exists by now.
    twofactor_demo.load,
]
# ---------------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Load the demo content (idempotent; an editor's changes are kept and reported)."

    def handle(self, *args, **options):
        for load in LOADERS:
            load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
