import pytest
from django.conf import settings

from publications.models import Publication
from tests.factories import make_person, make_project, make_publication, make_topic
from tests.sitemaps import sitemap_text

pytestmark = pytest.mark.django_db


def test_rss_and_atom_list_latest_publications_with_summaries(client):
    make_publication(title="Fresh report", summary="What it found.")
    make_publication(title="Unpublished", status=Publication.Status.DRAFT)
    rss = client.get("/feeds/latest.rss")
    assert rss["Content-Type"].startswith("application/rss+xml")
    assert b"Fresh report" in rss.content and b"What it found." in rss.content
    assert b"Unpublished" not in rss.content
    atom = client.get("/feeds/latest.atom")
    assert atom["Content-Type"].startswith("application/atom+xml")
    assert b"Fresh report" in atom.content


def test_feeds_per_topic_author_and_project(client):
    topic, person, project = make_topic(), make_person(), make_project()
    make_publication(title="Topic one", topics=[topic])
    make_publication(title="Author one", authors=[person])
    make_publication(title="Project one", project=project)
    assert b"Topic one" in client.get(f"/feeds/topics/{topic.slug}.rss").content
    assert b"Author one" in client.get(f"/feeds/people/{person.slug}.rss").content
    project_feed = client.get(f"/feeds/projects/{project.slug}.rss").content
    assert b"Project one" in project_feed and b"Topic one" not in project_feed
    assert client.get("/feeds/topics/unknown.rss").status_code == 404


def test_sitemap_lists_public_pages_with_lastmod(client):
    publication = make_publication(title="Mapped")
    draft = make_publication(status=Publication.Status.DRAFT)
    xml = sitemap_text(client)
    assert publication.get_absolute_url() in xml
    assert draft.get_absolute_url() not in xml
    assert "<lastmod>" in xml


def test_robots_txt_points_at_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in text
    assert f"Sitemap: {settings.SITE_URL}/sitemap.xml" in text
