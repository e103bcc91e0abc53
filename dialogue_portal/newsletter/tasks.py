"""The newsletter's background work: the subscribe form's mail, sent by the task worker.

The form's request only enqueues this task, whatever the address's state (new, pending,
confirmed, unsubscribed, suppressed, erased): its answer is the same in content and in
time, and no mail leaves from inside it."""

from django.tasks import task

from dialogue_portal.newsletter import services


@task
def request_subscription(*, email, language, frequency, topics, consent_language, source):
    services.request_subscription(
        email=email,
        language=language,
        frequency=frequency,
        topics=topics,
        consent_language=consent_language,
        source=source,
    )
