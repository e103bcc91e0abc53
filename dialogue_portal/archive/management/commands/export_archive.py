import sys

from django.core.management.base import BaseCommand, CommandError

from dialogue_portal.archive.exporter import export_archive
from dialogue_portal.archive.management.commands.import_archive import Progress
from dialogue_portal.audit.services import Action, record


class Command(BaseCommand):
    help = (
        "Export every publication with its people, terms and files to PATH: a folder, or a "
        "zip when PATH ends in .zip. The same format import_archive reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            count = export_archive(path, progress=Progress(sys.stderr, "files"))
        except OSError as error:
            raise CommandError(f"{path}: {error}") from None
        record(Action.ARCHIVE_EXPORTED, detail=f"command line: {count} publications")
        self.stdout.write(f"{count} publications exported to {path}.")
