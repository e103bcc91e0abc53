"""The sitemap index and its sections' pages: each page of a large section reads one block
of ids, whatever the archive holds, in a fixed number of queries."""

import re

import pytest
from django.core.management.color import no_style
from django.db import connection

from people.models import Person
from publications.models import Publication
from publications.sitemaps import PersonSitemap, PublicationSitemap
from tests.factories import make_person, make_publication
from tests.sitemaps import page_holding, section_pages, sitemap_pages

pytestmark = pytest.mark.django_db


def locations(text):
    return re.findall(r"<loc>([^<]+)</loc>", text)


@pytest.fixture
def small_pages(monkeypatch):
    """Pages of two ids each, the ids counted from the highest there is again: on
    PostgreSQL they keep counting from test to test, and the index would name thousands of
    empty pages for the walk through it to read."""
    monkeypatch.setattr(PublicationSitemap, "limit", 2)
    monkeypatch.setattr(PersonSitemap, "limit", 2)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Publication, Person]):
            cursor.execute(sql)


def test_the_index_names_every_page_of_each_section(client, small_pages):
    publications = [make_publication(language="ru") for _ in range(5)]
    make_publication(status=Publication.Status.DRAFT)  # the highest id: not counted
    pages = [path for path in section_pages(client) if "publications" in path]
    last = -(-publications[-1].pk // 2)  # the block of the highest published id
    assert pages == ["/sitemap-publications.xml"] + [
        f"/sitemap-publications.xml?p={number}" for number in range(2, last + 1)
    ]
    assert {"/sitemap-people.xml", "/sitemap-topics.xml", "/sitemap-pages.xml"} <= set(
        section_pages(client)
    )
    listed = [loc for text in sitemap_pages(client) for loc in locations(text)]
    for publication in publications:  # Russian, under both prefixes, on one page
        path = publication.get_absolute_url()
        assert sum(loc.endswith(path) for loc in listed) == 2, path


def test_a_page_lists_the_publications_of_its_block_of_ids(client, small_pages):
    publications = [make_publication() for _ in range(4)]
    for publication in publications:
        number = (publication.pk - 1) // 2 + 1
        text = client.get(f"/sitemap-publications.xml?p={number}").content.decode()
        assert publication.get_absolute_url() + "</loc>" in text
        others = [p for p in publications if (p.pk - 1) // 2 + 1 != number]
        assert not any(p.get_absolute_url() + "</loc>" in text for p in others)


def test_versions_on_other_pages_are_still_named_as_alternates(client, small_pages, settings):
    original = make_publication(slug="original")
    for _ in range(3):  # the translation's id in a later block than the original's
        make_publication()
    translation = make_publication(slug="original-ru", language="ru", translation_of=original)
    assert (original.pk - 1) // 2 != (translation.pk - 1) // 2
    site = settings.SITE_URL
    first = client.get(f"/sitemap-publications.xml?p={(original.pk - 1) // 2 + 1}")
    assert f'hreflang="ru" href="{site}/ru/publications/original-ru/"' in first.content.decode()
    later = client.get(f"/sitemap-publications.xml?p={(translation.pk - 1) // 2 + 1}")
    assert f'hreflang="en" href="{site}/publications/original/"' in later.content.decode()


@pytest.mark.parametrize("size", [1, 6])
def test_a_page_reads_its_rows_and_their_versions_in_three_queries(
    client, django_assert_num_queries, size
):
    for _ in range(size):
        author = make_person()
        original = make_publication(authors=[author])
        make_publication(language="ru", translation_of=original)
    # the highest id, the page's publications, their published versions
    with django_assert_num_queries(3):
        response = client.get(page_holding("publications", original.pk))
    assert response.status_code == 200 and original.get_absolute_url() in response.text
    with django_assert_num_queries(2):  # the highest id, the page's people
        response = client.get(page_holding("people", author.pk))
    assert response.status_code == 200 and author.get_absolute_url() in response.text


def test_people_without_published_work_are_left_out(client, small_pages):
    published = [make_person() for _ in range(3)]
    for person in published:
        make_publication(authors=[person])
    drafted = make_person()
    make_publication(authors=[drafted], status=Publication.Status.DRAFT)
    text = "\n".join(sitemap_pages(client))
    for person in published:
        assert person.get_absolute_url() + "</loc>" in text
    assert drafted.get_absolute_url() + "</loc>" not in text


@pytest.mark.parametrize(
    "path",
    [
        "/sitemap-publications.xml?p=1000000",
        "/sitemap-publications.xml?p=first",
        "/sitemap-topics.xml?p=2",
        "/sitemap-nothing.xml",
    ],
)
def test_a_page_that_is_not_there_is_not_found(client, path):
    make_publication()
    assert client.get(path).status_code == 404
