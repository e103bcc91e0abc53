"""Every absolute URL the site gives out starts with SITE_URL, never with the request's Host.

A client chooses the Host header (any of ALLOWED_HOSTS, or a port of its own), and the page
cache, a CDN or robots.txt's day of caching hand the answer on to everyone else.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.factories import make_attachment, make_person, make_publication, make_topic
from tests.site.test_settings import GOOD_KEY, run_manage
from tests.sitemaps import page_holding

pytestmark = pytest.mark.django_db

SITE = "https://portal.example.org"
OTHER = "mirror.example:8443"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["portal.example.org", "mirror.example", "testserver"]


@pytest.fixture
def content():
    person, topic = make_person(), make_topic()
    publication = make_publication(title="Addressed", authors=[person], topics=[topic])
    make_attachment(publication)
    return publication, person, topic


def absolute_urls(text):
    """Absolute and scheme-relative URLs, not those quoted inside another (a share link's)."""
    return re.findall(r"(?<![%\w])(?:https?:)?//[^\s\"'<>\\]+", text)


def assert_only_site_urls(text, where):
    assert "mirror.example" not in text, where
    for url in absolute_urls(text):
        if urlsplit(url).hostname == "portal.example.org":
            assert url.startswith(SITE + "/"), (where, url)


def test_robots_txt_names_the_sitemap_on_site_url(client, site):
    text = client.get("/robots.txt", HTTP_HOST=OTHER).content.decode()
    assert f"Sitemap: {SITE}/sitemap.xml" in text.splitlines()
    assert_only_site_urls(text, "robots.txt")


@pytest.mark.parametrize(
    "name",
    [
        "sitemap",
        "sitemap section",
        "rss",
        "atom",
        "topic feed",
        "person feed",
        "detail",
        "bibtex",
        "ris",
        "person",
    ],
)
def test_absolute_urls_come_from_site_url_not_the_host_header(client, site, content, name):
    publication, person, topic = content
    path = {
        "sitemap": "/sitemap.xml",
        "sitemap section": page_holding("publications", publication.pk),
        "rss": "/feeds/latest.rss",
        "atom": "/feeds/latest.atom",
        "topic feed": f"/feeds/topics/{topic.slug}.rss",
        "person feed": f"/feeds/people/{person.slug}.rss",
        "detail": publication.get_absolute_url(),
        "bibtex": reverse("publications:cite-bib", args=[publication.slug]),
        "ris": reverse("publications:cite-ris", args=[publication.slug]),
        "person": person.get_absolute_url(),
    }[name]
    response = client.get(path, HTTP_HOST=OTHER)
    assert response.status_code == 200, name
    text = response.content.decode()
    assert_only_site_urls(text, name)
    if name not in ("person",):
        assert SITE + "/" in text, name


def test_the_feeds_links_and_items_start_with_site_url(client, site, content):
    publication = content[0]
    rss = client.get("/feeds/latest.rss", HTTP_HOST=OTHER).content.decode()
    assert f"<link>{SITE}/publications/</link>" in rss
    assert f"<link>{SITE}{publication.get_absolute_url()}</link>" in rss
    assert f'href="{SITE}/feeds/latest.rss"' in rss
    atom = client.get("/ru/feeds/latest.atom", HTTP_HOST=OTHER).content.decode()
    assert f'href="{SITE}/ru/feeds/latest.atom"' in atom


@pytest.mark.parametrize("path", ["/api/publications/", "/api/people/"])
def test_api_urls_start_with_site_url(client, site, content, path):
    response = client.get(path + "?page_size=1", HTTP_HOST=OTHER)
    assert response.status_code == 200
    text = response.content.decode()
    assert_only_site_urls(text, path)
    assert SITE + "/" in text


def test_api_detail_urls_start_with_site_url(client, site, content):
    publication = content[0]
    response = client.get(f"/api/publications/{publication.slug}/", HTTP_HOST=OTHER)
    assert response.status_code == 200
    assert_only_site_urls(response.content.decode(), "api detail")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "SITE_URL must be set"),
        ("portal.example.org", "SITE_URL must be"),
        ("ftp://portal.example.org", "SITE_URL must be"),
        ("https://", "SITE_URL must be"),
        ("https://portal.example.org/site/", "SITE_URL must be"),
        ("https://portal.example.org?x=1", "SITE_URL must be"),
        ("https://user@portal.example.org", "SITE_URL must be"),
    ],
)
def test_production_refuses_a_missing_or_malformed_site_url(value, message):
    env = {"DEBUG": "0", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "portal.example.org"}
    if value is not None:
        env["SITE_URL"] = value
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.slow
def test_production_accepts_a_site_url_with_a_port_and_a_trailing_slash():
    result = run_manage(
        "check",
        DEBUG="0",
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="portal.example.org",
        SITE_URL="https://portal.example.org:8443/",
    )
    assert result.returncode == 0, result.stderr
