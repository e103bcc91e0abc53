import time

from django.core.management.base import BaseCommand, CommandError

from dialogue_portal.newsletter.sending import Sender, ServerUnavailable


class Command(BaseCommand):
    help = (
        "Send what is due: queued newsletter issues, each new publication to the subscribers "
        "who want every one, and last week's digest. Safe to run as often as you like (cron): "
        "nothing is sent twice, and a run with nothing new sends nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        verbose = options["verbosity"] > 1
        sender = Sender(batch_size=batch_size, log=self.stdout.write if verbose else None)
        started = time.monotonic()
        try:
            tally = sender.run()
        except ServerUnavailable as error:
            raise CommandError(
                f"The mail server is unavailable ({error}); nothing was lost, "
                "the next run sends what is due."
            ) from error
        self.stdout.write(
            f"newsletter: {tally.sent} sent, {tally.failed} failed, "
            f"{tally.suppressed} addresses suppressed in {time.monotonic() - started:.1f}s"
        )
