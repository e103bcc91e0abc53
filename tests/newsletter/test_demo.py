"""The newsletter's demo content: subscribers in every state, two sent issues; idempotent."""

import io

import pytest

from dialogue_portal.newsletter import demo
from dialogue_portal.newsletter.models import Issue, Subscriber
from dialogue_portal.newsletter.sending import Sender
from tests.factories import make_publication

pytestmark = pytest.mark.django_db


def test_load_twice_creates_once_and_says_what_was_there(smtp):
    make_publication(title="Demo report")
    first = io.StringIO()
    demo.load(first)
    states = set(Subscriber.objects.values_list("state", flat=True))
    assert states == {"pending", "confirmed", "unsubscribed", "suppressed", "erased"}
    assert Issue.objects.filter(status="sent").count() == 2
    assert "created" in first.getvalue()
    counts = (Subscriber.objects.count(), Issue.objects.count())

    second = io.StringIO()
    demo.load(second)
    assert (Subscriber.objects.count(), Issue.objects.count()) == counts
    assert "0 created, 9 already there" in second.getvalue()
    assert Subscriber.objects.get(state="erased").email is None
    # The sent issues never go out again.
    Sender().run()
    assert not [m for m in smtp.messages if "reading list" in m["Subject"]]


def test_the_demo_reviewer_is_the_newsletter_manager_and_the_editor_is_not(smtp, reviewer, editor):
    make_publication(title="Demo report")
    out = io.StringIO()
    demo.load(out)
    demo.load(io.StringIO())  # twice: still one membership
    assert reviewer.has_perm("newsletter.manage_subscribers")
    assert reviewer.has_perm("newsletter.send_issue")
    assert list(
        reviewer.groups.filter(name="Newsletter managers").values_list("name", flat=True)
    ) == ["Newsletter managers"]
    assert not editor.has_perm("newsletter.manage_subscribers")
    assert "newsletter manager: reviewer" in out.getvalue()
