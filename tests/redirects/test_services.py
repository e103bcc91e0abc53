"""Chains collapse, a live address wins, deletion leaves 410: what the services record."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from dialogue_portal.desk import services as desk
from dialogue_portal.redirects.models import Redirect
from tests.desk.helpers import post_form
from tests.factories import make_publication, make_topic
from tests.redirects.helpers import change_data, rename

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return Client()


def test_a_chain_collapses(reader, reviewer_client):
    publication = make_publication(slug="a")
    rename(reviewer_client, publication, "b")
    rename(reviewer_client, publication, "c")
    for old in ("a", "b"):
        response = reader.get(f"/publications/{old}/")
        assert response.status_code == 301 and response["Location"] == "/publications/c/"
    assert reader.get("/publications/a/cite.bib")["Location"] == "/publications/c/cite.bib"


def test_going_back_does_not_loop(reader, reviewer_client):
    publication = make_publication(slug="a")
    rename(reviewer_client, publication, "b")
    rename(reviewer_client, publication, "a")
    assert reader.get("/publications/a/").status_code == 200
    assert reader.get("/publications/b/")["Location"] == "/publications/a/"
    assert not Redirect.objects.filter(old_path="/publications/a").exists()


def test_an_old_address_taken_by_new_content_belongs_to_it(reader, reviewer_client):
    first = make_publication(slug="a", title="First")
    rename(reviewer_client, first, "renamed")
    second = make_publication(slug="b", title="Second")
    response = reviewer_client.post(
        reverse("admin:publications_publication_change", args=[second.pk]),
        change_data(reviewer_client, second, slug="a"),
        follow=True,
    )
    warnings = [str(m) for m in get_messages(response.wsgi_request)] or [
        str(m) for m in response.context["messages"]
    ]
    assert any("/publications/a redirected to /publications/renamed/" in m for m in warnings), (
        warnings
    )
    page = reader.get("/publications/a/")
    assert page.status_code == 200 and "Second" in page.content.decode()
    assert reader.get("/publications/a/cite.bib").status_code == 200
    assert reader.get("/publications/b/")["Location"] == "/publications/a/"


def test_deleting_leaves_old_addresses_gone(reader, reviewer_client):
    publication = make_publication(slug="a")
    rename(reviewer_client, publication, "b")
    delete = reverse("admin:publications_publication_delete", args=[publication.pk])
    assert reviewer_client.post(delete, {"post": "yes"}).status_code == 302
    for path in ("/publications/a/", "/publications/b/", "/publications/b/cite.bib"):
        response = reader.get(path)
        assert response.status_code == 410, path
        assert "This page is gone" in response.content.decode()
        assert '<html lang="en"' in response.content.decode()
    russian = reader.get("/ru/publications/b/")
    assert russian.status_code == 410 and '<html lang="ru"' in russian.content.decode()


def test_a_bulk_delete_leaves_them_gone_too(reader, reviewer_client):
    topics = [make_topic(slug="one"), make_topic(slug="two")]
    response = reviewer_client.post(
        reverse("admin:publications_topic_changelist"),
        {"action": "delete_selected", "_selected_action": [t.pk for t in topics], "post": "yes"},
    )
    assert response.status_code == 302
    assert reader.get("/topics/one/").status_code == 410
    assert reader.get("/feeds/topics/two.rss").status_code == 410


def test_an_editor_may_point_a_gone_address_elsewhere(reader, reviewer_client):
    publication = make_publication(slug="a")
    reviewer_client.post(
        reverse("admin:publications_publication_delete", args=[publication.pk]), {"post": "yes"}
    )
    gone = Redirect.objects.get(old_path="/publications/a")
    successor = make_publication(slug="successor")
    response = post_form(
        reviewer_client,
        reverse("admin:redirects_redirect_change", args=[gone.pk]),
        {
            "old_path": "/publications/a/",
            "status": "301",
            "target": successor.get_absolute_url(),
            "include_below": "on",
            "note": "Replaced",
        },
    )
    assert response.status_code == 302
    assert reader.get("/publications/a/")["Location"] == "/publications/successor/"


def test_a_restored_revision_with_another_slug_leaves_a_redirect(reader, reviewer, reviewer_client):
    publication = make_publication(slug="first")
    rename(reviewer_client, publication, "first")  # the revision to go back to
    rename(reviewer_client, publication, "second")
    revision = Version.objects.get_for_object(publication).order_by("pk").first().revision
    publication.refresh_from_db()
    desk.restore(publication=publication, revision=revision, user=reviewer)
    publication.refresh_from_db()
    assert publication.slug == "first"
    assert reader.get("/publications/second/")["Location"] == "/publications/first/"
    assert reader.get("/publications/first/").status_code == 200
