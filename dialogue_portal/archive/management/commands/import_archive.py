import sys
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from dialogue_portal.archive.importer import REFUSED, import_archive
from dialogue_portal.archive.source import ArchiveRefused, open_source
from dialogue_portal.audit.services import Action, record


class Progress:
    """“records 1200/10000, 450/s” on stderr: rewritten in place on a terminal, a line
    every tenth of the run otherwise (logs stay short)."""

    def __init__(self, stream, label):
        self.stream, self.label = stream, label
        self.started = time.monotonic()
        self.tty = stream.isatty()
        self.step = 0

    def __call__(self, done, total):
        if total <= 0:
            return
        step = done * 10 // total
        if not self.tty and step == self.step and done != total:
            return
        self.step = step
        rate = done / max(time.monotonic() - self.started, 1e-6)
        text = f"{self.label} {done}/{total}, {rate:.0f}/s"
        if self.tty:
            self.stream.write(f"\r{text}" + ("\n" if done == total else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import publications from an archive (a folder or a .zip with manifest.json or "
        "manifest.csv and the files, or RIS/BibTeX files). Prints what each record became."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument("--quiet-records", action="store_true", help="print the summary only")
        parser.add_argument(
            "--user",
            help="import as this user: recorded as theirs, and published only if they may "
            "publish (otherwise as --review)",
        )
        parser.add_argument(
            "--review",
            action="store_true",
            help="publish nothing: records marked published become drafts in review, "
            "changes to published publications proposals for the reviewers",
        )

    def handle(self, *args, path, dry_run, quiet_records, user=None, review=False, **options):
        # Whoever runs the command can already write to the database: by default the import
        # is the site's own (no user) and may publish, each publication it publishes
        # recorded as a decision. --user or --review put it through the review rule.
        account = None
        if user:
            account = get_user_model().objects.filter(username=user, is_active=True).first()
            if account is None:
                raise CommandError(f"No active user “{user}”.")
        may_publish = False if review else None
        try:
            source = open_source(path)
        except (ArchiveRefused, OSError) as error:
            raise CommandError(f"{path}: {error}") from None
        try:
            report = import_archive(
                source,
                dry_run=dry_run,
                progress=Progress(sys.stderr, "records"),
                user=account,
                may_publish=may_publish,
            )
        finally:
            source.close()
        if report.refused_archive:
            raise CommandError(report.summary())
        if not dry_run:
            record(
                Action.ARCHIVE_IMPORTED,
                actor=account,
                detail=f"command line: {report.audit_counts()}",
            )
        for outcome in report.outcomes:
            if not quiet_records or outcome.action == REFUSED:
                self.stdout.write(str(outcome))
        rate = len(report.outcomes) / report.seconds if report.seconds else 0
        self.stdout.write(f"{report.summary()} ({report.seconds:.1f}s, {rate:.0f} records/s)")
