"""With the page cache on, the redirect wins at once: the old address's cached page is
stale after the save, and the sitemap lists the new address."""

import pytest
from django.test import Client

from dialogue_portal.core.pagecache import content_version
from dialogue_portal.redirects.addresses import addresses_of
from dialogue_portal.redirects.models import Redirect
from dialogue_portal.redirects.services import object_deleted, object_saved
from tests.factories import make_publication
from tests.redirects.helpers import rename
from tests.sitemaps import sitemap_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    return settings


@pytest.mark.slow
def test_the_redirect_wins_over_a_cached_page_right_after_the_save(page_cache, reviewer_client):
    publication = make_publication(slug="old")
    reader = Client()
    assert reader.get("/publications/old/")["X-Page-Cache"] == "miss"
    assert reader.get("/publications/old/")["X-Page-Cache"] == "hit"
    assert "/publications/old/" in sitemap_text(reader)
    assert reader.get("/publications/new/").status_code == 404  # a 404 first, never stored
    rename(reviewer_client, publication, "new")
    response = reader.get("/publications/old/")
    assert response.status_code == 301 and response["Location"] == "/publications/new/"
    assert "max-age=60" in response["Cache-Control"]
    assert reader.get("/publications/new/").status_code == 200
    sitemap = sitemap_text(reader)
    assert "/publications/new/" in sitemap and "/publications/old/" not in sitemap


def test_writes_move_the_content_version_after_the_commit(django_capture_on_commit_callbacks):
    publication = make_publication(slug="a")
    before = addresses_of(publication)
    publication.slug = "b"
    publication.save()
    version = content_version()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        object_saved(obj=publication, before=before)
    assert content_version() == version  # not before the commit
    assert callbacks
    for callback in callbacks:  # however many writes, one move once it commits
        callback()
    assert content_version() == version + 1
    with django_capture_on_commit_callbacks(execute=True):
        object_deleted(addresses=addresses_of(publication))
    assert content_version() == version + 2
    assert Redirect.objects.get(old_path="/publications/a").is_gone
