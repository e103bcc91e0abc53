"""A judged relevance set: for each query, the publication a reader expects first.

The same set passes with the RUM index (matches read in rank order, ``<=>``) and with the
GIN index (matches ranked with ts_rank) on PostgreSQL, and with FTS5 (bm25) on SQLite, so
moving between them never makes search worse. Each query's words also appear in other
publications' bodies (the lowest weight), which must not outrank the publication that is
about them."""

import pytest
from django.db import connection

from publications.models import Publication
from publications.search import filter_by_query, relevance_order, search_index
from tests.factories import make_person, make_publication

pytestmark = pytest.mark.django_db

# The indexes of the database the suite runs on: each is judged on the same set.
INDEXES = ["rum", "gin"] if connection.vendor == "postgresql" else ["fts5"]

# slug: (language, title, summary)
CORPUS = {
    "arms-control-after-new-start": ("en", "Arms control after New START", "Limits on arsenals."),
    "nuclear-deterrence-in-europe": ("en", "Nuclear deterrence in Europe", "Doctrine and forces."),
    "cyber-norms": ("en", "Cyber security norms between rivals", "Rules for networks."),
    "arctic-cooperation": ("en", "Cooperation in the Arctic", "Shipping, science, rescue."),
    "sanctions-and-trade": ("en", "Sanctions and trade", "What restrictions change."),
    "climate-security": ("en", "Climate and security", "Heat, water and conflict."),
    "migration-north-africa": ("en", "Migration from North Africa", "Routes and policies."),
    "space-debris": ("en", "Space debris in low orbit", "Satellites at risk."),
    "confidence-building": ("en", "Confidence-building measures at sea", "Incidents at sea."),
    "treaty-verification": ("en", "Treaty verification in practice", "Inspections, data."),
    "strategic-stability": ("en", "Strategic stability talks", "What both sides want."),
    "energy-security": ("en", "Energy security in Central Asia", "Pipelines and grids."),
    "black-sea-shipping": ("en", "Shipping in the Black Sea", "Ports and insurance."),
    "dialogue-rounds": ("en", "Three rounds of dialogue", "What the meetings achieved."),
    "ru-kontrol": ("ru", "Контроль над вооружениями после договора", "Пределы арсеналов."),
    "ru-sderzhivanie": ("ru", "Ядерное сдерживание в Европе", "Доктрина и силы."),
    "ru-bezopasnost": ("ru", "Безопасность и доверие", "Меры и шаги."),
    "ru-arktika": ("ru", "Сотрудничество в Арктике", "Судоходство и наука."),
    "ru-sanktsii": ("ru", "Санкции и торговля", "Что меняют ограничения."),
    "ru-migratsiya": ("ru", "Миграция из Северной Африки", "Маршруты и политика."),
    "ru-klimat": ("ru", "Климат и конфликты", "Жара и вода."),
    "ru-kosmos": ("ru", "Космический мусор на орбите", "Спутники под угрозой."),
    "ru-kortunov": ("ru", "Итоги трёх раундов", "Чего достигли встречи."),
}

# query: the slug expected first
JUDGED = {
    "arms control": "arms-control-after-new-start",
    "nuclear deterrence": "nuclear-deterrence-in-europe",
    "cyber security norms": "cyber-norms",
    "Arctic": "arctic-cooperation",
    "sanctions": "sanctions-and-trade",
    "climate": "climate-security",
    "migration North Africa": "migration-north-africa",
    "space debris": "space-debris",
    "confidence-building measures": "confidence-building",
    "treaty verification": "treaty-verification",
    '"strategic stability"': "strategic-stability",
    "energy security Asia": "energy-security",
    "Black Sea shipping": "black-sea-shipping",
    "Smekalova": "dialogue-rounds",
    "контроль над вооружениями": "ru-kontrol",
    "ядерное сдерживание": "ru-sderzhivanie",
    "безопасности и доверия": "ru-bezopasnost",
    "Арктика": "ru-arktika",
    "санкции": "ru-sanktsii",
    "миграция": "ru-migratsiya",
    "климата": "ru-klimat",
    "космический мусор": "ru-kosmos",
    "Кортунов": "ru-kortunov",
}

# Bodies that mention every query's words once, at the lowest weight.
NOISE_BODY = (
    "<p>Arms, control, nuclear deterrence, cyber security norms, the Arctic, sanctions, "
    "climate, migration from North Africa, space debris, confidence-building measures, "
    "treaty verification, strategic stability, energy security in Asia, Black Sea shipping; "
    "Smekalova wrote on it. Контроль над вооружениями, ядерное сдерживание, безопасность и "
    "доверие, Арктика, санкции, миграция, климат, космический мусор; писал Кортунов.</p>"
)


@pytest.fixture
def corpus():
    smekalova = make_person(given_name="Maria", family_name="Smekalova", slug="smekalova")
    kortunov = make_person(
        given_name="Andrey", family_name="Kortunov", family_name_ru="Кортунов", slug="kortunov"
    )
    authors = {"dialogue-rounds": [smekalova], "ru-kortunov": [kortunov]}
    for slug, (language, title, summary) in CORPUS.items():
        make_publication(
            slug=slug,
            language=language,
            title=title,
            summary=summary,
            body="<p>A study.</p>",
            authors=authors.get(slug, ()),
            days_ago=30,  # older than the noise, so newness cannot be what puts it first
        )
    for n, language in enumerate(["en", "ru", "en", "ru"]):
        make_publication(
            slug=f"noise-{n}", language=language, title=f"Review {n}", body=NOISE_BODY, days_ago=1
        )


def ranked(text):
    matches = filter_by_query(Publication.objects.published(), text)
    return list(matches.order_by(*relevance_order()).values_list("slug", flat=True))


def test_the_judged_set_is_large_enough_and_in_both_languages():
    russian = [q for q in JUDGED if any("а" <= ch <= "я" for ch in q.lower())]
    assert len(JUDGED) >= 20 and len(russian) >= 8 and len(JUDGED) - len(russian) >= 8


@pytest.mark.parametrize("index", INDEXES)
def test_the_expected_publication_comes_first_on_either_index(corpus, settings, index):
    settings.SEARCH_INDEX = "gin" if index == "gin" else "auto"
    assert search_index() == index
    wrong = {}
    for text, expected in JUDGED.items():
        results = ranked(text)
        if not results or results[0] != expected:
            wrong[text] = results[:3]
    assert wrong == {}


@pytest.mark.parametrize("index", INDEXES)
def test_the_search_page_lists_them_in_that_order(client, corpus, settings, index):
    settings.SEARCH_INDEX = "gin" if index == "gin" else "auto"
    for text in ("arms control", "космический мусор"):
        html = client.get("/search/", {"q": text}).content.decode()
        first = html.index(f"/publications/{JUDGED[text]}/")
        assert all(first <= html.find(f"/publications/noise-{n}/") for n in range(4))


def test_a_literal_match_is_found_on_any_database(corpus):
    """A query that is in a title finds it, whatever else ranks first."""
    literal = {
        text: slug
        for text, slug in JUDGED.items()
        if text.isascii() and text.lower() in CORPUS[slug][1].lower()
    }
    assert len(literal) >= 8
    for text, slug in literal.items():
        assert slug in ranked(text), text
