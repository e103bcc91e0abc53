"""A reader who arrives while an editor's save is still uncommitted must not keep the old
page for the next readers: the content version moves only after the commit (issue 24).

The admin's change form is held open after its writes, at ``log_change`` (Django calls it
after ``save_model`` and ``save_related``, inside the form's transaction): a seam of the
test's own, so the code under test is the code that runs in production.

On PostgreSQL a reader in another thread renders the pages while the save is held open, as
a reader on another server would (``test_a_reader_during_a_save_…``). SQLite's in-memory
test database cannot do that: another connection that reads a table the open transaction
wrote to is refused ("database table is locked"), and the one connection that could read
it sees the uncommitted rows. On SQLite the same save is checked at the same seam for what
decides the race: the version a reader would stamp its copy with is still the old one
there, and it moves once, after the commit (``test_the_version_moves_after_the_commit_…``).
"""

import re
import threading
from contextlib import contextmanager

import pytest
from django.contrib import admin
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialogue_portal.core.pagecache import content_version
from publications.models import Publication
from tests.desk.helpers import post_form
from tests.factories import make_publication, make_topic

OLD, NEW = "Arms control after the treaties", "Arms control without treaties"


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_TOTALS_SECONDS = 5
    # Facet counts are counted in the request, however long that takes: counts served
    # stale while the refresher counts again are a bound of their own, never cached
    # (tests/publications/test_counts_refresh.py).
    settings.COUNTS_INLINE_MS = 10_000_000
    return settings


@pytest.fixture
def edited():
    """A published report on one topic; the edit renames it and moves it to another."""
    arms = make_topic(name="Arms control", slug="arms")
    cyber = make_topic(name="Cyber", slug="cyber")
    publication = make_publication(title=OLD, slug="arms-control", topics=[arms])
    return publication, arms, cyber


def change_form(publication, topic):
    """What the admin's change form posts: the title changed, moved to ``topic``."""
    published = timezone.localtime(publication.published_at)
    return {
        "kind": publication.kind,
        "title": NEW,
        "subtitle": "",
        "slug": publication.slug,
        "doi": "",
        "summary": publication.summary,
        "body": "<p>Body text.</p>",
        "status": Publication.Status.PUBLISHED,
        "published_at_0": published.strftime("%Y-%m-%d"),
        "published_at_1": published.strftime("%H:%M:%S"),
        "language": publication.language,
        "topics": [topic.pk],
        "audiences": [audience.pk for audience in publication.audiences.all()],
        "banner_alt": "",
        "banner_caption": "",
        "banner_credit": "",
        "authorships-TOTAL_FORMS": "0",
        "authorships-INITIAL_FORMS": "0",
        "authorships-MIN_NUM_FORMS": "0",
        "authorships-MAX_NUM_FORMS": "1000",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }


def facet_count(html, name, value):
    """The count the list's filters show beside one option (0 when it is not listed)."""
    found = re.search(rf'for="f-{name}-{value}">[^<]*<span class="count">\((\d+)\)', html)
    return int(found.group(1)) if found else 0


def pages(publication, cyber):
    return {
        "detail": publication.get_absolute_url(),
        "list": "/publications/",
        "list_on_topic": f"/publications/?topic={cyber.slug}",
    }


def read_all(urls, **headers):
    """Each page as a new anonymous reader gets it: {name: response}."""
    return {name: Client().get(url, headers=headers) for name, url in urls.items()}


def assert_shows_the_original(responses):
    """The report under its old title, on its old topic only."""
    for name, response in responses.items():
        html = response.content.decode()
        assert NEW not in html, name
        assert (OLD in html) == (name != "list_on_topic"), name


def assert_shows_the_edit(urls, before, cyber):
    """The next readers get the edited content from every cache, with new ETags."""
    after = read_all(urls)
    for name, response in after.items():
        html = response.content.decode()
        assert response.status_code == 200, name
        assert NEW in html and OLD not in html, f"{name} ({response.get('X-Page-Cache')})"
        assert response["ETag"] != before[name]["ETag"], name
        assert "public" in response["Cache-Control"], name
    assert facet_count(after["list"].content.decode(), "topic", cyber.slug) == 1
    assert facet_count(after["list"].content.decode(), "topic", "arms") == 0
    # A shared cache (browser, CDN) that asks again with the old ETag gets the new page.
    for name, url in urls.items():
        again = Client().get(url, headers={"if-none-match": before[name]["ETag"]})
        assert again.status_code == 200, name
        assert NEW in again.content.decode(), name


@contextmanager
def admin_log_change(monkeypatch, hook):
    """Call ``hook()`` where the publication admin logs a change: after every write of the
    save, before its transaction commits."""
    model_admin = admin.site.get_model_admin(Publication)
    real = type(model_admin).log_change

    def log_change(self, request, obj, message):
        entry = real(self, request, obj, message)
        hook()
        return entry

    monkeypatch.setattr(type(model_admin), "log_change", log_change)
    yield
    monkeypatch.setattr(type(model_admin), "log_change", real)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reader_during_a_save_does_not_keep_the_old_page_for_later_readers(
    page_cache, edited, superuser, monkeypatch
):
    publication, arms, cyber = edited
    urls = pages(publication, cyber)
    before = read_all(urls)
    assert_shows_the_original(before)
    assert facet_count(before["list"].content.decode(), "topic", "arms") == 1

    written, commit = threading.Event(), threading.Event()

    def hold_open():
        written.set()
        assert commit.wait(30), "the test never let the save commit"

    editor = Client()
    editor.force_login(superuser)
    outcome = {}

    def save():
        try:
            url = reverse("admin:publications_publication_change", args=[publication.pk])
            outcome["response"] = post_form(editor, url, change_form(publication, cyber))
        finally:
            written.set()
            connection.close()

    with admin_log_change(monkeypatch, hook=hold_open):
        editor_thread = threading.Thread(target=save)
        editor_thread.start()
        try:
            assert written.wait(30)
            # Readers while the save is written but not committed: the old content.
            assert_shows_the_original(read_all(urls))
        finally:
            commit.set()
            editor_thread.join(30)
    assert outcome["response"].status_code == 302
    assert Publication.objects.get(pk=publication.pk).title == NEW

    assert_shows_the_edit(urls, before, cyber)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_version_moves_after_the_commit_once_for_the_whole_save(
    page_cache, edited, superuser, monkeypatch
):
    publication, arms, cyber = edited
    urls = pages(publication, cyber)
    before = read_all(urls)
    version = content_version()
    seen = []

    editor = Client()
    editor.force_login(superuser)
    url = reverse("admin:publications_publication_change", args=[publication.pk])
    with admin_log_change(monkeypatch, hook=lambda: seen.append(content_version())):
        response = post_form(editor, url, change_form(publication, cyber))
    assert response.status_code == 302

    # Written (the publication, its topics) but not committed: a reader now would stamp
    # what it read with this version, which the commit is about to retire.
    assert seen == [version]
    # Committed: the version moved, once for all the rows the save wrote.
    assert content_version() == version + 1
    assert_shows_the_edit(urls, before, cyber)
