"""The public archive of sent issues, in both languages, in a fixed number of queries."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dialogue_portal.newsletter import tokens
from dialogue_portal.newsletter.models import Issue
from tests.factories import make_publication, make_topic
from tests.newsletter.conftest import make_subscriber

pytestmark = pytest.mark.django_db


def sent_issue(slug, publications=(), **fields):
    fields.setdefault("subject", f"Issue {slug}")
    fields.setdefault("subject_ru", f"Выпуск {slug}")
    issue = Issue.objects.create(
        slug=slug, status=Issue.Status.SENT, sent_at=timezone.now(), **fields
    )
    issue.publications.set(publications)
    return issue


def test_the_archive_lists_sent_issues_only_in_both_languages(client):
    sent_issue("one")
    Issue.objects.create(subject="A draft", slug="draft")
    queued = Issue.objects.create(subject="Queued", slug="queued")
    queued.queue()
    english = client.get("/newsletter/archive/").content.decode()
    assert "Issue one" in english and "A draft" not in english and "Queued" not in english
    russian = client.get("/ru/newsletter/archive/").content.decode()
    assert "Выпуск one" in russian and "Архив рассылки" in russian
    assert 'href="/ru/newsletter/archive/one/"' in russian


def test_an_issue_page_and_its_publications(client):
    publication = make_publication(title="A chosen report")
    hidden = make_publication(title="Still a draft", status="draft", published_at=None)
    sent_issue("one", [publication, hidden], body="<p>Intro</p>", body_ru="<p>Вступление</p>")
    page = client.get("/newsletter/archive/one/").content.decode()
    assert "Intro" in page and "A chosen report" in page and "Still a draft" not in page
    assert "Вступление" in client.get("/ru/newsletter/archive/one/").content.decode()


def test_unsent_or_unknown_issues_are_404(client):
    Issue.objects.create(subject="A draft", slug="draft")
    assert client.get("/newsletter/archive/draft/").status_code == 404
    assert client.get("/newsletter/archive/nothing-here/").status_code == 404
    assert client.get("/newsletter/archive/%00/").status_code == 404


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999", "2"])
def test_any_page_number_gives_a_page(client, page):
    sent_issue("one")
    assert client.get(f"/newsletter/archive/?page={page}").status_code == 200


def test_a_script_pasted_by_an_editor_never_reaches_a_reader(client):
    sent_issue(
        "xss",
        subject="<script>alert(1)</script>",
        body='<p onclick="x()">Hi<script>alert(2)</script><img src=x onerror=alert(3)></p>',
    )
    page = client.get("/newsletter/archive/xss/").content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert "onerror" not in page and "onclick" not in page and "alert(2)" not in page


# page: (cold, warm): every cache empty, then the shared term list cached (the footer's
# audience links read it).
EXPECTED = {
    "archive": (3, 2),  # the count, the page of issues
    "issue": (3, 2),  # the issue, its publications
    "subscribe": (3, 2),  # the topic choices, confirmation mails of the hour (is the site busy)
    "check_inbox": (1, 0),
    "manage": (4, 3),  # the subscriber, the topic choices, the topics they chose
    "unsubscribe": (2, 1),  # the subscriber
}


@pytest.mark.parametrize("size", [1, 5])
def test_queries_on_the_public_pages_are_fixed(client, size):
    publications = [make_publication() for _ in range(size)]
    for n in range(size):
        sent_issue(f"issue-{n}", publications)
    subscriber = make_subscriber("reader@example.org", topics=[make_topic()])
    token = tokens.manage_token(subscriber)
    urls = {
        "archive": "/ru/newsletter/archive/",
        "issue": "/newsletter/archive/issue-0/",
        "subscribe": "/newsletter/",
        "check_inbox": "/newsletter/check-your-inbox/",
        "manage": f"/ru/newsletter/manage/{token}/",
        "unsubscribe": f"/newsletter/unsubscribe/{token}/",
    }
    measured = {}
    for name, url in urls.items():
        cache.clear()
        measured[name] = (count(client, url), count(client, url))
    assert measured == EXPECTED


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
