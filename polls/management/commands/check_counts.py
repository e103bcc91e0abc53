"""Check that stored totals equal their rows: ratings per publication, votes per answer and poll.

python manage.py check_counts            # report; exits with an error if any differ
python manage.py check_counts --repair   # set every wrong total from the rows
"""

from django.core.management.base import BaseCommand, CommandError

from polls import services as poll_services
from publications import services as rating_services


class Command(BaseCommand):
    help = "Check (and with --repair fix) stored rating and poll counts against their rows."

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Set every wrong total from the rows."
        )

    def handle(self, *args, repair=False, **options):
        publications = rating_services.rating_mismatches()
        choices, polls = poll_services.vote_count_mismatches()
        for publication in publications:
            self.stdout.write(
                f"publication {publication.slug}: stored {publication.rating_count} ratings "
                f"summing {publication.rating_sum}, rows {publication.actual_count} "
                f"summing {publication.actual_sum}"
            )
        for choice in choices:
            self.stdout.write(
                f"answer {choice.pk} of poll {choice.poll_id}: stored {choice.vote_count} votes, "
                f"rows {choice.actual}"
            )
        for poll in polls:
            self.stdout.write(
                f"poll {poll.slug}: stored {poll.total_votes} votes, rows {poll.actual}"
            )
        wrong = len(publications) + len(choices) + len(polls)
        if not wrong:
            self.stdout.write(self.style.SUCCESS("All stored counts match their rows."))
            return
        if not repair:
            raise CommandError(f"{wrong} stored counts differ from their rows; run with --repair.")
        repaired = rating_services.recount_ratings() + poll_services.recount_votes()
        self.stdout.write(self.style.SUCCESS(f"Repaired {repaired} stored counts."))
