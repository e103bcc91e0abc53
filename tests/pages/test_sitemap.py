import re

import pytest
from django.conf import settings

from tests.sitemaps import sitemap_text

pytestmark = pytest.mark.django_db


def test_published_pages_are_in_the_sitemap_with_their_language_alternates(
    client, make_page, settings
):
    english = make_page(role="about", slug="about")
    make_page(role="about", slug="about", language="ru", translation_of=english)
    make_page(role="contact", slug="contact", is_published=False)
    xml = sitemap_text(client)
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    site = settings.SITE_URL
    assert f"{site}/about/" in locations and f"{site}/ru/about/" in locations
    assert f"{site}/contact/" not in locations
    assert f'hreflang="ru" href="{site}/ru/about/"' in xml
    assert f'hreflang="x-default" href="{site}/about/"' in xml


def test_a_page_without_a_russian_version_is_listed_under_ru_too(client, make_page):
    make_page(slug="history", title="Our history")
    xml = sitemap_text(client)
    site = settings.SITE_URL
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert f"{site}/pages/history/" in locations and f"{site}/ru/pages/history/" in locations
    assert f'hreflang="ru" href="{site}/ru/pages/history/"' in xml
