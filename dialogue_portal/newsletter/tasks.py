"""The newsletter's background work: the subscribe form's mail, sent by the task worker.

The form's request only writes a SubscribeRequest and enqueues this task, whatever the
address's state (new, pending, confirmed, unsubscribed, suppressed, erased): its answer is
the same in content and in time, and no mail leaves from inside it."""

import datetime as dt

from django.tasks import task
from django.utils import timezone

from dialogue_portal.newsletter import services
from dialogue_portal.newsletter.models import SubscribeRequest

# A request a failed task left behind is removed after this long.
FORGET_AFTER = dt.timedelta(days=1)


@task
def handle_subscribe_request(request_pk):
    asked = SubscribeRequest.objects.filter(pk=request_pk).first()
    if asked is None:  # already handled
        return
    services.request_subscription(
        email=asked.email,
        language=asked.language,
        frequency=asked.frequency,
        topics=asked.topics,
        consent_language=asked.consent_language,
        source=asked.source,
    )
    asked.delete()
    SubscribeRequest.objects.filter(created_at__lt=timezone.now() - FORGET_AFTER).delete()
