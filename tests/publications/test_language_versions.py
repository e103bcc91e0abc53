"""A publication written in one language, linked to its translation: the switcher,
hreflang, the sitemap, per-version metadata and Russian full-text search."""

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.utils import timezone

from publications.models import Publication
from publications.search import refresh_search_vector
from tests.factories import make_person, make_publication
from tests.publications.test_admin import ADD_URL, publication_form, with_authors
from tests.sitemaps import sitemap_pages

pytestmark = pytest.mark.django_db

SITE = settings.SITE_URL
SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "x": "http://www.w3.org/1999/xhtml",
}


@pytest.fixture
def pair():
    """An English conference report and its Russian version, as in the demo."""
    english = make_publication(
        slug="defining-dialogue-part-2",
        title="Defining Dialogue: How to Manage Russia–UK Security Relations – Part 2",
        published_at=dt.datetime(2018, 3, 27, 9, 0, tzinfo=dt.UTC),
    )
    russian = make_publication(
        slug="defining-dialogue-part-2-ru",
        title="Определяя диалог. Часть 2",
        language="ru",
        translation_of=english,
        published_at=dt.datetime(2018, 3, 27, 9, 0, tzinfo=dt.UTC),
    )
    return english, russian


def switcher(html):
    """{language code: href} of the links in the language switcher."""
    nav = re.search(r'<nav class="lang-switch".*?</nav>', html, re.S).group(0)
    return {code: href for href, code in re.findall(r'<a href="([^"]+)" hreflang="(\w+)"', nav)}


def hreflang(html):
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))


def test_switcher_on_the_english_version_leads_to_the_russian_version(client, pair):
    html = client.get("/publications/defining-dialogue-part-2/").content.decode()
    assert switcher(html) == {"ru": "/ru/publications/defining-dialogue-part-2-ru/"}


def test_switcher_on_the_russian_version_leads_to_the_english_version(client, pair):
    html = client.get("/ru/publications/defining-dialogue-part-2-ru/").content.decode()
    assert switcher(html) == {"en": "/publications/defining-dialogue-part-2/"}


def test_english_publication_read_with_the_russian_interface_switches_to_english(client, pair):
    html = client.get("/ru/publications/defining-dialogue-part-2/").content.decode()
    assert switcher(html) == {"en": "/publications/defining-dialogue-part-2/"}


def test_without_a_russian_version_the_switcher_keeps_the_publication(client):
    make_publication(slug="only-in-english", title="Only in English")
    html = client.get("/publications/only-in-english/").content.decode()
    assert switcher(html) == {"ru": "/ru/publications/only-in-english/"}
    russian_interface = client.get("/ru/publications/only-in-english/")
    assert russian_interface.status_code == 200
    page = russian_interface.content.decode()
    assert '<html lang="ru">' in page
    assert "<h1>Only in English</h1>" in page
    assert '<article class="publication" lang="en">' in page


def test_unpublished_translation_is_not_offered(client, pair):
    english, russian = pair
    Publication.objects.filter(pk=russian.pk).update(status=Publication.Status.DRAFT)
    html = client.get("/publications/defining-dialogue-part-2/").content.decode()
    assert switcher(html) == {"ru": "/ru/publications/defining-dialogue-part-2/"}
    assert "Also available in" not in html


def test_hreflang_names_the_version_written_in_each_language(client, pair):
    for url in (
        "/publications/defining-dialogue-part-2/",
        "/ru/publications/defining-dialogue-part-2-ru/",
        "/ru/publications/defining-dialogue-part-2/",
    ):
        html = client.get(url).content.decode()
        assert hreflang(html) == {
            "en": f"{SITE}/publications/defining-dialogue-part-2/",
            "ru": f"{SITE}/ru/publications/defining-dialogue-part-2-ru/",
            "x-default": f"{SITE}/publications/defining-dialogue-part-2/",
        }, url


def test_also_available_in_links_the_other_version(client, pair):
    html = client.get("/publications/defining-dialogue-part-2/").content.decode()
    assert re.search(r"Also available in:.*hreflang=\"ru\"[^>]*>Русский</a>", html)
    russian = client.get("/ru/publications/defining-dialogue-part-2-ru/").content.decode()
    assert re.search(r"Другие языковые версии:.*hreflang=\"en\"[^>]*>English</a>", russian)


def test_citation_and_dublin_core_language_are_the_publications_not_the_interfaces(client, pair):
    english_in_russian = client.get("/ru/publications/defining-dialogue-part-2/").content.decode()
    assert '<meta name="citation_language" content="en">' in english_in_russian
    assert '<meta name="DC.language" content="en">' in english_in_russian
    russian_in_english = client.get("/publications/defining-dialogue-part-2-ru/").content.decode()
    assert '<meta name="citation_language" content="ru">' in russian_in_english
    assert '<meta name="DC.language" content="ru">' in russian_in_english


def test_dates_follow_the_readers_language(client, pair):
    english = client.get("/publications/defining-dialogue-part-2/").content.decode()
    assert '<time datetime="2018-03-27">27 March 2018</time>' in english
    russian = client.get("/ru/publications/defining-dialogue-part-2-ru/").content.decode()
    assert '<time datetime="2018-03-27">27 марта 2018 г.</time>' in russian


def test_list_filters_by_language(client, pair):
    make_publication(title="Another English report")
    html = client.get("/ru/publications/?language=ru").content.decode()
    assert "Определяя диалог. Часть 2" in html
    assert "Another English report" not in html
    assert "1 публикация" in html


def sitemap_entries(client):
    entries = {}
    for text in sitemap_pages(client):
        root = ET.fromstring(text)  # noqa: S314 - our own output
        for url in root.findall("s:url", SITEMAP_NS):
            loc = url.find("s:loc", SITEMAP_NS).text
            assert loc not in entries, loc  # each address on one page only
            entries[loc] = {
                link.get("hreflang"): link.get("href") for link in url.findall("x:link", SITEMAP_NS)
            }
    return entries


def test_sitemap_lists_each_version_once_with_the_pages_alternates(client, pair):
    make_publication(slug="only-in-english")
    entries = sitemap_entries(client)
    host = SITE
    publication_urls = sorted(loc for loc in entries if "/publications/" in loc)
    assert publication_urls == [
        f"{host}/publications/defining-dialogue-part-2/",
        f"{host}/publications/only-in-english/",
        f"{host}/ru/publications/defining-dialogue-part-2-ru/",
        f"{host}/ru/publications/only-in-english/",
    ]
    versions = {
        "en": f"{host}/publications/defining-dialogue-part-2/",
        "ru": f"{host}/ru/publications/defining-dialogue-part-2-ru/",
        "x-default": f"{host}/publications/defining-dialogue-part-2/",
    }
    assert entries[f"{host}/publications/defining-dialogue-part-2/"] == versions
    assert entries[f"{host}/ru/publications/defining-dialogue-part-2-ru/"] == versions
    assert entries[f"{host}/ru/publications/only-in-english/"] == {
        "en": f"{host}/publications/only-in-english/",
        "ru": f"{host}/ru/publications/only-in-english/",
        "x-default": f"{host}/publications/only-in-english/",
    }


def test_sitemap_leaves_out_unpublished_versions(client, pair):
    english, russian = pair
    Publication.objects.filter(pk=russian.pk).update(
        published_at=timezone.now() + dt.timedelta(days=3)
    )
    entries = sitemap_entries(client)
    assert not any("defining-dialogue-part-2-ru" in loc for loc in entries)
    assert entries[f"{SITE}/ru/publications/defining-dialogue-part-2/"]["ru"] == (
        f"{SITE}/ru/publications/defining-dialogue-part-2/"
    )


@pytest.mark.postgres
def test_russian_search_finds_other_word_forms(client):
    publication = make_publication(
        slug="budushchee-otnosheniy",
        title="Будущее российско-британских отношений",
        summary="Доклад о том, как управлять отношениями в сфере безопасности.",
        language="ru",
    )
    make_publication(title="Unrelated English report", summary="Nothing to see.")
    refresh_search_vector(publication)
    listing = client.get("/publications/", {"q": "отношения"}).content.decode()
    assert "Будущее российско-британских отношений" in listing
    assert "Unrelated English report" not in listing
    site_search = client.get("/ru/search/", {"q": "отношения"}).content.decode()
    assert "Будущее российско-британских отношений" in site_search
    assert "1 результат" in site_search


@pytest.mark.postgres
def test_admin_save_builds_the_search_vector_with_the_authors(reviewer_client, client):
    author = make_person(given_name="Maria", family_name="Smekalova", family_name_ru="Смекалова")
    data = with_authors(
        publication_form(
            title="Кибербезопасность и отношения России и Великобритании",
            slug="kiberbezopasnost",
            language="ru",
            status="published",
            published_at_0="2019-07-08",
            published_at_1="09:00:00",
        ),
        author,
    )
    assert reviewer_client.post(ADD_URL, data).status_code == 302
    for query in ("отношений", "Смекалова"):
        html = client.get("/ru/search/", {"q": query}).content.decode()
        assert "Кибербезопасность и отношения России и Великобритании" in html, query
