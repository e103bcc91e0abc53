"""Search finds words, on SQLite (FTS5) as on PostgreSQL (its search vector): in any order,
in either case and alphabet, in other word forms; any input gives results or none, never an
error; and what it finds follows every edit, import, delete and load."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from dialogue_portal.archive.importer import import_archive
from dialogue_portal.archive.source import open_source
from dialogue_portal.core.textsearch import clean_query, stem
from dialogue_portal.demo import loader
from publications.models import Publication, SearchText
from publications.search import filter_by_query, refresh_search_vector, relevance_order
from tests.demo.test_load_demo import TINY_PDF
from tests.desk.helpers import post_form
from tests.factories import make_person, make_publication
from tests.publications.test_admin import publication_form, with_authors

pytestmark = pytest.mark.django_db


def found(text):
    """The slugs ``text`` finds, best first, as the site's searches clean and rank it."""
    matches = filter_by_query(Publication.objects.published(), clean_query(text))
    return list(matches.order_by(*relevance_order()).values_list("slug", flat=True))


@pytest.fixture
def shelf():
    make_publication(slug="arctic", title="Keeping the Arctic cool", summary="Shipping lanes.")
    make_publication(slug="europe", title="Russia and European security", summary="Doctrine.")
    make_publication(slug="talking", title="Talking To, Not Past Each Other", summary="Dialogue.")
    make_publication(slug="sanctions", title="Sanctions and trade", summary="Restrictions.")
    make_publication(
        slug="arktika", title="Арктика: сотрудничество", summary="Судоходство.", language="ru"
    )
    make_publication(slug="other", title="Space debris", summary="Satellites at risk.")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("arctic cool", "arctic"),
        ("cool arctic", "arctic"),
        ("COOL Arctic", "arctic"),
        ("security russia", "europe"),
        ("talking past", "talking"),
        ("past talking", "talking"),
        ("sanction", "sanctions"),
        ("Арктика", "arktika"),
        ("арктика", "arktika"),
        ("АРКТИКА", "arktika"),
        ("арктике", "arktika"),
        ("сотрудничество арктика", "arktika"),
    ],
)
def test_words_are_found_in_any_order_case_and_form(shelf, text, slug):
    assert found(text) == [slug]


def test_every_word_must_be_there(shelf):
    assert found("arctic debris") == []
    assert found("cool") == ["arctic"]


@pytest.mark.parametrize(
    "text",
    [
        '"',
        '""',
        "*",
        "AND",
        "OR",
        "NOT",
        "-",
        "NEAR(",
        "NEAR(arctic cool)",
        "arctic AND",
        "title:arctic",
        "{title}: arctic",
        "^arctic",
        "arctic*",
        '"arctic',
        "arctic -cool",
        "(arctic",
        "a'b\"c",
        "\\",
        "%_",
        "\x00arctic\x07",
        "arctic\ncool\t",
        "x" * 10_000,
        "arctic " * 500,
        "😀 arctic",
    ],
)
def test_any_input_gives_results_or_none_never_an_error(shelf, client, text):
    found(text)  # no exception
    for url in ("/search/", "/publications/", "/ru/search/"):
        assert client.get(url, {"q": text}).status_code == 200, url


@pytest.mark.parametrize("text", ['"arctic', "arctic*", "(arctic", "\x00arctic\x07", "😀 arctic"])
def test_a_word_among_syntax_characters_is_still_found(shelf, text):
    assert "arctic" in found(text)


def test_the_search_pages_find_words_in_any_order(shelf, client):
    for url in ("/search/", "/publications/"):
        html = client.get(url, {"q": "cool arctic"}).content.decode()
        assert "Keeping the Arctic cool" in html and "Space debris" not in html, url
    html = client.get("/ru/search/", {"q": "арктике"}).content.decode()
    assert "Арктика: сотрудничество" in html


def test_the_list_sorts_by_relevance_when_searching(client):
    make_publication(slug="body", title="A review", body="<p>Arms control in passing.</p>")
    make_publication(slug="title", title="Arms control", days_ago=300)
    html = client.get("/publications/", {"q": "control arms"}).content.decode()
    assert html.index("/publications/title/") < html.index("/publications/body/")


def test_an_edit_is_found_under_its_new_words_not_its_old(shelf):
    publication = Publication.objects.get(slug="arctic")
    publication.title = "Keeping the tundra frozen"
    publication.save()
    refresh_search_vector(publication)  # as the admin, the desk and the importer do
    assert found("frozen tundra") == ["arctic"]
    assert found("arctic cool") == []


@pytest.mark.slow
def test_an_admin_save_is_found_under_its_new_words(shelf, superuser, client):
    author = make_person(given_name="Maria", family_name="Smekalova")
    publication = Publication.objects.get(slug="arctic")
    client.force_login(superuser)
    data = with_authors(
        publication_form(
            title="Glaciers retreating",
            slug="arctic",
            status="published",
            published_at_0="2024-01-05",
            published_at_1="09:00:00",
        ),
        author,
    )
    response = post_form(client, f"/admin/publications/publication/{publication.pk}/change/", data)
    assert response.status_code == 302
    assert found("retreating glacier") == ["arctic"]
    assert found("smekalova") == ["arctic"]
    assert found("arctic cool") == []


def test_a_deleted_publication_is_gone(shelf):
    publication = Publication.objects.get(slug="arctic")
    pk = publication.pk
    publication.delete()
    assert found("arctic cool") == []
    if connection.vendor == "sqlite":  # its row of the FTS5 table went with it
        assert not SearchText.objects.filter(pk=pk).exists()
    Publication.objects.filter(slug="talking").delete()  # a queryset's delete too
    assert found("talking past") == []
    if connection.vendor == "sqlite":
        assert SearchText.objects.count() == Publication.objects.count()


def test_an_import_is_found_and_a_second_import_follows_it(tmp_path):
    def archive(title, folder):
        root = tmp_path / folder
        root.mkdir()
        (root / "manifest.json").write_text(
            json.dumps(
                {
                    "format": "dialogue-portal-archive",
                    "version": 1,
                    "people": [{"slug": "ann-lee", "given_name": "Ann", "family_name": "Lee"}],
                    "publications": [
                        {
                            "id": "r1",
                            "slug": "imported",
                            "title": title,
                            "summary": "A summary.",
                            "published_at": "2020-05-01",
                            "authors": [{"person": "ann-lee"}],
                        }
                    ],
                }
            )
        )
        source = open_source(root)
        try:
            return import_archive(source)
        finally:
            source.close()

    assert archive("Icebreakers in the north", "a").lines() == ["record 1 [r1]: created"]
    assert found("icebreaker north") == ["imported"]
    assert found("lee ann") == ["imported"]
    archive("Ports of the south", "b")
    assert found("south ports") == ["imported"]
    assert found("icebreakers") == []


@pytest.mark.slow
def test_the_demo_is_found_once_loaded(monkeypatch):
    monkeypatch.setattr(loader, "report_pdf", lambda **kwargs: TINY_PDF)
    monkeypatch.setattr(loader.CoreLoader, "add_banner", lambda self, publication, entry: None)
    call_command("load_demo", stdout=io.StringIO())
    title = Publication.objects.published().filter(language="en").order_by("pk").first().title
    words = [word for word in title.split() if len(word) > 4][:2]
    assert words and Publication.objects.get(title=title).slug in found(" ".join(words[::-1]))
    assert len(found("арктика")) >= 1


def test_generated_content_is_found():
    call_command("generate_content", "--publications", "30", "--seed", "7", stdout=io.StringIO())
    generated = Publication.objects.filter(slug__startswith="gen-")
    # An author whose name is its own stem: PostgreSQL stores names unstemmed (config
    # "simple") but stems a query's words, so it finds "Smith" and not "Harris".
    publication, person = next(
        (p, a.person)
        for p in generated.with_authors().filter(language="en")
        for a in p.authors
        if stem(a.person.family_name.casefold()) == a.person.family_name.casefold()
    )
    found_slugs = found(f"{person.family_name} {publication.title.split(':')[0]}")
    assert publication.slug in found_slugs
    if connection.vendor == "sqlite":  # one row each, written in bulk
        assert SearchText.objects.filter(publication__in=generated).count() == 30


def test_threads_stemming_at_once_never_stem_each_others_words():
    """A Snowball stemmer holds the word it works on: each thread has its own."""
    from concurrent.futures import ThreadPoolExecutor

    from dialogue_portal.core import textsearch

    words = [f"sanctions{i}x" for i in range(400)] + [f"арктике{i}ф" for i in range(400)]
    expected = {word: textsearch._stemmer(
        "russian" if textsearch.CYRILLIC.search(word) else "english").stemWord(word)
        for word in words}  # fmt: skip
    textsearch.stem.cache_clear()
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = dict(zip(words, pool.map(textsearch.stem, words), strict=True))
    assert got == expected
