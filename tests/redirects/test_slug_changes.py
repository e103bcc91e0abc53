"""A slug changed in the admin keeps every old address answering 301 to the new one, in
both languages, for every kind of content with a slug."""

import pytest
from django.test import Client
from django.urls import reverse

from dialogue_portal.pages.models import Page
from dialogue_portal.redirects.models import Redirect
from tests.factories import (
    make_audience,
    make_institution,
    make_person,
    make_programme,
    make_project,
    make_publication,
    make_region,
    make_topic,
)
from tests.redirects.helpers import rename

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    """An anonymous reader, apart from the editor (who may publish: an editor without that
    permission only proposes changes to what is published)."""
    return Client()


@pytest.fixture
def editor_client(reviewer_client):
    return reviewer_client


def make_page(**fields):
    fields.setdefault("title", "Our methods")
    fields.setdefault("slug", "methods")
    return Page.objects.create(is_published=True, **fields)


def make_author(**fields):
    """A person with published work: readers see only those (people without are 404)."""
    person = make_person(**fields)
    make_publication(authors=[person])
    return person


CONTENT = {
    "publication": (lambda: make_publication(slug="old"), "/publications/{}/"),
    "person": (lambda: make_author(slug="old"), "/people/{}/"),
    "institution": (lambda: make_institution(slug="old"), "/institutions/{}/"),
    "topic": (lambda: make_topic(slug="old"), "/topics/{}/"),
    "region": (lambda: make_region(slug="old"), "/regions/{}/"),
    "project": (lambda: make_project(slug="old"), "/projects/{}/"),
    "programme": (lambda: make_programme(slug="old"), "/programmes/{}/"),
    "audience": (lambda: make_audience(slug="old"), "/audiences/{}/"),
    "page": (lambda: make_page(slug="old"), "/pages/{}/"),
}


@pytest.mark.parametrize("kind", CONTENT)
def test_a_changed_slug_leaves_its_old_address_redirecting(client, editor_client, kind):
    make, pattern = CONTENT[kind]
    obj = make()
    old, new = pattern.format("old"), pattern.format("new")
    assert client.get(old).status_code == 200
    rename(editor_client, obj, "new")
    assert client.get(new).status_code == 200
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    russian = client.get("/ru" + old)
    assert russian.status_code == 301 and russian["Location"] == "/ru" + new
    assert client.get("/ru" + new).status_code == 200
    # Without the trailing slash too, and with the query string kept.
    assert client.get(old.rstrip("/"))["Location"] == new
    assert client.get(old + "?page=2")["Location"] == new + "?page=2"


def test_what_lies_below_a_publication_follows_it(client, editor_client):
    publication = make_publication(slug="old")
    rename(editor_client, publication, "new")
    for below in ("cite.bib", "cite.ris", "rating/", "files/12/"):
        response = client.get(f"/publications/old/{below}")
        assert response.status_code == 301, below
        assert response["Location"] == f"/publications/new/{below}"
    assert client.get("/publications/new/cite.bib").status_code == 200
    assert (
        client.get("/ru/publications/old/cite.ris")["Location"] == "/ru/publications/new/cite.ris"
    )


@pytest.mark.parametrize(
    ("make", "feed"),
    [(make_author, "people"), (make_topic, "topics"), (make_project, "projects")],
)
def test_feeds_follow_their_author_topic_or_project(client, editor_client, make, feed):
    obj = make(slug="old")
    rename(editor_client, obj, "new")
    response = client.get(f"/feeds/{feed}/old.rss")
    assert response.status_code == 301
    assert response["Location"] == f"/feeds/{feed}/new.rss"
    assert client.get(response["Location"]).status_code == 200


def test_an_audiences_introduction_address_leads_on_to_the_audience(client, editor_client):
    audience = make_audience(slug="old")
    rename(editor_client, audience, "new")
    response = client.get("/for/old/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1] == ("/audiences/new/", 301)


def test_a_save_that_keeps_the_slug_writes_no_redirect(editor_client):
    topic = make_topic(slug="same")
    rename(editor_client, topic, "same", name="Renamed topic")
    assert not Redirect.objects.exists()


def test_normal_pages_and_plain_404s_are_untouched(client):
    make_publication(slug="here")
    assert client.get("/publications/here/").status_code == 200
    assert client.get("/publications/nowhere/").status_code == 404


def test_redirects_are_recorded_without_the_language_prefix_or_trailing_slash(editor_client):
    rename(editor_client, make_topic(slug="old"), "new")
    assert set(Redirect.objects.values_list("old_path", "target", "include_below")) == {
        ("/topics/old", "/topics/new/", True),
        ("/feeds/topics/old.rss", "/feeds/topics/new.rss", False),
    }
    assert reverse("admin:redirects_redirect_changelist")


@pytest.mark.parametrize("path", ["/publications/%00/", "/publications/x/?q=%00", "/%00"])
def test_an_address_with_nul_is_a_plain_404(client, path):
    assert client.get(path).status_code == 404
