"""Links built from the address a reader asked for stay on this site, whatever the address.

`//evil.example/publications/` is a path to Django (a 404), but a browser reads it, given
back as a link, as another host. The language switcher, the canonical link and the hreflang
alternates are site-relative or start with SITE_URL, never with the requested host.

Django's test client reads `//host/path` as a URL with a host and sends only `/path`, so
these tests give the raw path as PATH_INFO, as a real server passes it on.
"""

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

HOSTILE = [
    "//evil.example/publications/",
    "///evil.example/publications/",
    "/\\evil.example/publications/",
    "//evil.example/ru/publications/",
]


def get_raw(client, path):
    return client.get("/", PATH_INFO=path)


def links(page):
    """Every href, and every meta content or form value that is an address."""
    found = re.findall(r'href="([^"]*)"', page)
    found += re.findall(r'(?:content|value|action)="((?:/|https?:)[^"]*)"', page)
    return found


def on_the_site(href):
    if href.startswith(("http://", "https://")):
        return href.startswith(settings.SITE_URL + "/")
    return not href.startswith(("//", "/\\")) and ":" not in href.split("/", 1)[0]


@pytest.mark.parametrize("path", HOSTILE)
def test_links_on_a_404_for_a_double_slash_path_stay_on_the_site(client, settings, path):
    settings.DEBUG = False
    response = get_raw(client, path)
    assert response.status_code == 404
    page = response.content.decode()
    assert 'class="site-header"' in page
    for href in links(page):
        assert on_the_site(href), href


def test_the_language_links_on_a_double_slash_path_are_the_sites(client, settings):
    settings.DEBUG = False
    page = get_raw(client, "//evil.example/publications/").content.decode()
    site = settings.SITE_URL
    # The path does not resolve, so translate_url gives it back unchanged, on this site.
    assert f'hreflang="ru" href="{site}/evil.example/publications/"' in page
    assert f'<link rel="canonical" href="{site}/evil.example/publications/"' in page
    assert "//evil.example" not in page


def test_the_links_of_a_plain_page_are_unchanged(client):
    page = client.get("/publications/?page=1").content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}/publications/">' in page
    assert f'hreflang="ru" href="{settings.SITE_URL}/ru/publications/"' in page
    assert 'href="/ru/publications/?page=1"' in page
