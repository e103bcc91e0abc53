"""Surrogate keys: each page names what it shows, in the header a shared cache purges by,
and every editorial commit purges the keys of what it changed, once it commits, through the
task worker (dialogue_portal.core.surrogate, dialogue_portal.core.freshness)."""

from unittest import mock

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from dialogue_portal.core import surrogate
from dialogue_portal.core.freshness import content_changed
from publications.models import Publication
from tests.factories import (
    make_institution,
    make_person,
    make_poll,
    make_project,
    make_publication,
    make_topic,
)
from tests.tasks import run_worker

pytestmark = pytest.mark.django_db


def keys_of(response, header="xkey"):
    return set(response[header].split()) if header in response else set()


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def purging(settings, database_tasks):
    settings.PURGE_URLS = ["http://cache.example/"]


def purges():
    """The keys and rows of each purge task enqueued."""
    tasks = DBTaskResult.objects.filter(task_path="dialogue_portal.core.surrogate.purge")
    return [task.args_kwargs["args"] for task in tasks.order_by("enqueued_at")]


def test_each_page_names_what_it_shows(client):
    person = make_person()
    topic = make_topic()
    project = make_project()
    publication = make_publication(authors=[person], topics=[topic], project=project)
    make_poll()
    detail = keys_of(client.get(publication.get_absolute_url()))
    assert detail == {"site", f"publication:{publication.slug}"}
    assert keys_of(client.get("/publications/")) == {"site", "lists"}
    assert keys_of(client.get("/")) == {"site", "lists", "polls"}
    assert keys_of(client.get(f"/topics/{topic.slug}/")) == {"site", "lists", f"topic:{topic.slug}"}
    assert keys_of(client.get(f"/people/{person.slug}/")) == {
        "site",
        "lists",
        f"person:{person.slug}",
    }
    assert keys_of(client.get(f"/projects/{project.slug}/")) == {
        "site",
        "lists",
        f"project:{project.slug}",
    }
    assert keys_of(client.get("/feeds/latest.rss")) == {"site", "lists"}
    assert keys_of(client.get("/sitemap.xml")) == {"site", "lists"}
    assert keys_of(client.get("/sitemap-publications.xml")) == {"site", "lists"}
    assert keys_of(client.get("/sitemap-pages.xml")) == {"site", "lists"}
    assert keys_of(client.get("/polls/")) == {"site", "polls"}
    # Russian pages carry the same keys: one purge reaches both languages.
    assert keys_of(client.get(f"/ru{publication.get_absolute_url()}")) == detail


def test_shared_caches_keep_a_page_longer_than_browsers(client, settings):
    settings.BROWSER_CACHE_SECONDS = 10
    response = client.get("/people/")
    control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert control == {"public", "max-age=10", f"s-maxage={settings.PAGE_CACHE_SECONDS}"}


def test_no_keys_on_what_no_shared_cache_keeps(client, editor_client):
    publication = make_publication()
    assert "xkey" not in editor_client.get(publication.get_absolute_url())  # signed in
    assert "xkey" not in client.get("/publications/no-such-thing/")  # a 404
    assert "xkey" not in client.get("/api/publications/")  # not a page: it expires
    assert "xkey" not in client.get("/health/")


def test_the_header_is_named_by_a_setting(client, settings):
    settings.SURROGATE_KEY_HEADER = "Cache-Tag"  # Cloudflare's, comma-separated
    response = client.get("/publications/")
    assert response["Cache-Tag"] == "site, lists"
    settings.SURROGATE_KEY_HEADER = "Surrogate-Key"  # Fastly's
    assert client.get("/publications/")["Surrogate-Key"] == "site lists"


def test_an_editorial_commit_enqueues_one_purge_after_it(
    purging, django_capture_on_commit_callbacks
):
    publication = make_publication()
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        publication.title = "Corrected"
        publication.save()
        make_topic()
        assert purges() == []  # not before the commit
    [(keys, refs)] = purges()
    assert {f"publication:{publication.slug}", "lists"} <= set(keys)
    assert ["publications.publication", publication.pk] in refs


class Undone(Exception):
    pass


def test_a_rolled_back_change_purges_nothing(purging, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Undone),
        transaction.atomic(),
    ):
        make_publication()
        raise Undone
    assert purges() == []


def test_no_purge_without_a_shared_cache(database_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_publication()
    assert purges() == []


def test_a_bulk_write_purges_every_page(purging, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        content_changed()
    assert purges() == [[["site"], []]]


def test_a_new_slug_purges_the_old_address_too(purging, django_capture_on_commit_callbacks):
    publication = make_publication(slug="old-address")
    with django_capture_on_commit_callbacks(execute=True):
        publication.slug = "new-address"
        publication.save()
    keys = {key for keys, _refs in purges() for key in keys}
    assert {"publication:old-address", "publication:new-address"} <= keys


def test_a_publication_purges_its_people_terms_project_and_series():
    institution = make_institution()
    person = make_person(institution=institution)
    topic = make_topic()
    project = make_project()
    publication = make_publication(authors=[person], topics=[topic], project=project)
    sibling = make_publication(project=project)
    keys = surrogate.expand([("publications.publication", publication.pk)])
    assert keys >= {
        f"publication:{publication.slug}",
        f"person:{person.slug}",
        f"topic:{topic.slug}",
        f"project:{project.slug}",
        f"publication:{sibling.slug}",
    }


def test_a_person_purges_the_pages_of_their_publications():
    person = make_person()
    theirs = make_publication(authors=[person])
    other = make_publication()
    keys = surrogate.expand([("people.person", person.pk)])
    assert f"person:{person.slug}" in keys and f"publication:{theirs.slug}" in keys
    assert f"publication:{other.slug}" not in keys


def test_a_term_on_too_many_publications_purges_the_site(monkeypatch):
    monkeypatch.setattr(surrogate, "MOST_KEYS", 2)
    topic = make_topic()
    for _ in range(3):
        make_publication(topics=[topic])
    assert surrogate.expand([("publications.topic", topic.pk)]) == {"site"}


def test_the_worker_asks_each_cache_to_purge(purging, settings, django_capture_on_commit_callbacks):
    settings.PURGE_URLS = ["http://cache-1.example/", "http://cache-2.example/"]
    person = make_person()
    with django_capture_on_commit_callbacks(execute=True):
        publication = make_publication(authors=[person])
    with mock.patch.object(surrogate.urllib.request, "urlopen") as urlopen:
        assert run_worker() == 1
    sent = [call.args[0] for call in urlopen.call_args_list]
    assert [request.full_url for request in sent] == settings.PURGE_URLS
    assert {request.get_method() for request in sent} == {"PURGE"}
    keys = set(sent[0].get_header("Xkey-purge").split())
    assert {f"publication:{publication.slug}", f"person:{person.slug}", "lists"} <= keys
    assert Publication.objects.filter(pk=publication.pk).exists()
