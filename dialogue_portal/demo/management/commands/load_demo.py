"""python manage.py load_demo: the demo content of every app, idempotent.

The core content (institutions, people, terms, publications, polls, demo logins) comes
first, then each app's own demo, in the order of ``LOADERS``. Each loader is a callable
``load(stdout)`` that creates what is missing, leaves what an editor changed, and writes
what it did (and what it skipped) to ``stdout``.
"""

from django.core.management.base import BaseCommand

from dialogue_portal.demo import loader
from dialogue_portal.demo import pages as demo_pages

# ---------------------------------------------------------------------------------------
# THE LOADERS, in order. Each app that has demo content adds its ``demo.load`` here
# (e.g. newsletter.demo.load, desk.demo.load, staff.demo.load), after the core content
# it builds on.
LOADERS = [
    loader.load,
    demo_pages.load,
]
# ---------------------------------------------------------------------------------------


class Command(BaseCommand):
    help = "Load the demo content (idempotent; an editor's changes are kept and reported)."

    def handle(self, *args, **options):
        for load in LOADERS:
            load(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content loaded."))
