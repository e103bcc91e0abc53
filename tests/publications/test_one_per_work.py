"""One card per work: every listing shows a work (an original with its translations) once,
in the interface language where a version in it is public, otherwise in its original
language, with a badge leading to the other language's version. A language filter lists
every version in that language. Facet counts, totals and feeds count the same way."""

import re
import xml.etree.ElementTree as ET

import pytest

from dialogue_portal.core.pagecache import bump_content_version
from publications.models import Publication
from publications.search import refresh_search_vector
from tests.factories import (
    make_audience,
    make_institution,
    make_person,
    make_programme,
    make_project,
    make_publication,
    make_region,
    make_topic,
)
from tests.sitemaps import sitemap_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Four works sharing every term, author and institution:

    - arctic: English original with a public Russian version (the English one featured);
    - cyber: English only;
    - sanctions: Russian original with a public English version;
    - terror: English original whose Russian version is still a draft."""
    topic, region, audience = make_topic(slug="arms"), make_region(slug="europe"), make_audience()
    programme, project = make_programme(), make_project(slug="dialogue")
    institution = make_institution(slug="riac")
    author = make_person(institution=institution, slug="author")
    terms = {"authors": [author], "topics": [topic], "regions": [region]}
    made = {}

    def make(slug, days_ago, **fields):
        fields.setdefault("title", slug.replace("-", " ").title())
        publication = make_publication(
            slug=slug,
            days_ago=days_ago,
            summary="Findings of the security dialogue.",
            programme=programme,
            project=project,
            **terms,
            **fields,
        )
        publication.audiences.set([audience])
        made[slug] = publication
        return publication

    arctic = make("arctic", 4, kind="report", featured=True, project_part=1)
    make("arctic-ru", 4, kind="report", language="ru", translation_of=arctic, project_part=1)
    make("cyber", 3, kind="briefing")
    sanctions = make("sanctions-ru", 2, kind="article", language="ru")
    make("sanctions", 2, kind="article", translation_of=sanctions)
    terror = make("terror", 1, kind="report")
    make(
        "terror-ru",
        1,
        kind="report",
        language="ru",
        translation_of=terror,
        status=Publication.Status.DRAFT,
    )
    return {
        "publications": made,
        "pages": {
            "list": "/publications/",
            "topic": topic.get_absolute_url(),
            "region": region.get_absolute_url(),
            "audience": audience.get_absolute_url(),
            "programme": programme.get_absolute_url(),
            "project": project.get_absolute_url(),
            "person": author.get_absolute_url(),
            "institution": institution.get_absolute_url(),
            "search": "/search/?q=dialogue",
        },
    }


SHOWN = {
    "en": {"arctic", "cyber", "sanctions", "terror"},
    "ru": {"arctic-ru", "cyber", "sanctions-ru", "terror"},
}
# The badge on each card: (link text, the other version's page in its own language).
BADGES = {
    "en": {
        "arctic": ("Also in Russian", "/ru/publications/arctic-ru/"),
        "sanctions": ("Also in Russian", "/ru/publications/sanctions-ru/"),
    },
    "ru": {
        "arctic-ru": ("Есть на английском", "/publications/arctic/"),
        "sanctions-ru": ("Есть на английском", "/publications/sanctions/"),
    },
}
PREFIX = {"en": "", "ru": "/ru"}
CARD = re.compile(
    r'<article class="card[^"]*">.*?<h3 class="card__title"><a href="(?P<href>[^"]+)">.*?'
    r"</article>",
    re.S,
)
BADGE = re.compile(r'<a class="version-badge" href="([^"]+)" hreflang="(\w+)">([^<]+)</a>')


def cards(html):
    """{slug: (badge text, badge href) or None} of every card on a page, in order."""
    found = {}
    for match in CARD.finditer(html):
        slug = match.group("href").rstrip("/").rsplit("/", 1)[-1]
        assert slug not in found, f"{slug} has two cards"
        badge = BADGE.search(match.group(0))
        found[slug] = (badge.group(3), badge.group(1)) if badge else None
    return found


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(
    "name",
    [
        "list",
        "topic",
        "region",
        "audience",
        "programme",
        "project",
        "person",
        "institution",
        "search",
    ],
)
def test_every_listing_shows_each_work_once_in_the_readers_language(client, world, name, language):
    found = cards(page(client, PREFIX[language] + world["pages"][name]))
    assert set(found) == SHOWN[language]
    assert {slug: badge for slug, badge in found.items() if badge} == BADGES[language]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_home_features_and_lists_each_work_once_in_the_readers_language(client, world, language):
    html = page(client, PREFIX[language] + "/")
    found = cards(html)
    assert set(found) == SHOWN[language]
    # Featured on its English version, the work is featured in Russian as its Russian one.
    featured = html.split('id="featured-heading"', 1)[1].split("</section>", 1)[0]
    assert list(cards(featured)) == ["arctic" if language == "en" else "arctic-ru"]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_home_most_read_and_top_rated_name_each_work_once(client, world, language):
    Publication.objects.filter(slug__startswith="arctic").update(
        view_count=10, rating_count=1, rating_sum=5, ranked_count=1, ranked_average=5.0
    )
    html = page(client, PREFIX[language] + "/")
    for heading in ("most-read-heading", "top-rated-heading"):
        box = html.split(f'id="{heading}"', 1)[1].split("</section>", 1)[0]
        assert re.findall(r'href="[^"]*/publications/([\w-]+)/"', box) == [
            "arctic" if language == "en" else "arctic-ru"
        ]


def test_the_list_says_it_lists_each_work_once(client, world):
    assert "Each work is listed once, in your language where available." in page(
        client, "/publications/"
    )
    assert "Каждая работа указана один раз" in page(client, "/ru/publications/")
    assert "Each work is listed once" not in page(client, "/publications/?language=ru")


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_language_filter_lists_every_version_in_that_language(client, world, language):
    russian = cards(page(client, PREFIX[language] + "/publications/?language=ru"))
    assert set(russian) == {"arctic-ru", "sanctions-ru"}
    english = cards(page(client, PREFIX[language] + "/publications/?language=en"))
    assert set(english) == {"arctic", "cyber", "sanctions", "terror"}
    both = cards(page(client, PREFIX[language] + "/publications/?language=en&language=ru"))
    assert len(both) == 6


def facets(response):
    return {
        f["name"]: {o["value"]: o["count"] for o in f["options"]}
        for f in response.context["facets"]()
    }


@pytest.mark.parametrize("language", ["en", "ru"])
def test_facet_counts_and_totals_count_each_work_once(client, world, language):
    response = client.get(PREFIX[language] + "/publications/")
    counts = facets(response)
    assert response.context["page_obj"].paginator.count == 4
    assert counts["kind"] == {"report": 2, "briefing": 1, "article": 1}
    assert counts["topic"] == {"arms": 4}
    # Each language option counts what choosing it lists: every version in it.
    assert counts["language"] == {"en": 4, "ru": 2}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_filtered_totals_follow_the_rule(client, world, language):
    prefix = PREFIX[language]
    # Kinds chosen, languages not: the total is counted beside the facets.
    reports = client.get(f"{prefix}/publications/?kind=report")
    assert reports.context["page_obj"].paginator.count == 2
    assert facets(reports)["language"] == {"en": 2, "ru": 1}
    assert facets(reports)["kind"] == {"report": 2, "briefing": 1, "article": 1}
    # Both chosen: the chosen language counts give the total.
    russian_reports = client.get(f"{prefix}/publications/?kind=report&language=ru")
    assert russian_reports.context["page_obj"].paginator.count == 1
    assert facets(russian_reports)["kind"] == {"report": 1, "article": 1}
    # A topic: each work once.
    topical = client.get(f"{prefix}/publications/?topic=arms")
    assert topical.context["page_obj"].paginator.count == 4
    assert facets(topical)["kind"] == {"report": 2, "briefing": 1, "article": 1}


def test_term_person_and_institution_totals_count_each_work_once(client, world):
    for language in ("en", "ru"):
        for name in ("topic", "person", "institution", "project"):
            response = client.get(PREFIX[language] + world["pages"][name])
            assert response.context["page_obj"].paginator.count == 4, (language, name)


def test_a_search_matching_only_one_version_lists_that_version(client, world):
    Publication.objects.filter(slug="sanctions-ru").update(title="Санкции и диалог")
    refresh_search_vector(Publication.objects.get(slug="sanctions-ru"))
    found = cards(page(client, "/search/?q=Санкции"))
    assert list(found) == ["sanctions-ru"]
    listed = cards(page(client, "/publications/?q=Санкции"))
    assert list(listed) == ["sanctions-ru"]


def test_a_topic_only_one_version_carries_lists_that_version(client, world):
    other = make_topic(slug="other")
    world["publications"]["arctic-ru"].topics.add(other)
    assert list(cards(page(client, other.get_absolute_url()))) == ["arctic-ru"]
    assert list(cards(page(client, f"/publications/?topic={other.slug}"))) == ["arctic-ru"]


def feed_links(xml):
    root = ET.fromstring(xml)  # noqa: S314 (our own feed)
    return {item.findtext("link").rstrip("/").rsplit("/", 1)[-1] for item in root.iter("item")}


@pytest.mark.parametrize("language", ["en", "ru"])
def test_feeds_list_each_work_once_in_their_language(client, world, language):
    prefix = PREFIX[language]
    for url in (
        "/feeds/latest.rss",
        "/feeds/topics/arms.rss",
        "/feeds/people/author.rss",
        "/feeds/projects/dialogue.rss",
    ):
        response = client.get(prefix + url)
        assert response.status_code == 200
        assert feed_links(response.content) == SHOWN[language], url
    description = client.get(prefix + "/feeds/latest.rss").content.decode()
    assert ("Each work once" if language == "en" else "Каждая работа один раз") in description
    atom = client.get(prefix + "/feeds/latest.atom").content.decode()
    assert atom.count("<entry>") == 4


def test_the_sitemap_still_lists_every_version(client, world):
    xml = sitemap_text(client)
    for slug in ("arctic", "arctic-ru", "cyber", "sanctions", "sanctions-ru", "terror"):
        assert f"/publications/{slug}/</loc>" in xml
    assert "terror-ru" not in xml


def test_each_language_caches_its_own_card_with_its_badge(client, world):
    english = cards(page(client, "/publications/"))
    russian = cards(page(client, "/ru/publications/?language=en"))
    assert english["sanctions"] == ("Also in Russian", "/ru/publications/sanctions-ru/")
    assert russian["sanctions"] == ("Есть на русском", "/ru/publications/sanctions-ru/")


def test_a_published_translation_shows_its_badge_at_once(client, world):
    assert cards(page(client, "/publications/"))["terror"] is None
    draft = world["publications"]["terror-ru"]
    Publication.objects.filter(pk=draft.pk).update(status=Publication.Status.PUBLISHED)
    bump_content_version()  # what every editorial save does
    assert cards(page(client, "/publications/"))["terror"] == (
        "Also in Russian",
        "/ru/publications/terror-ru/",
    )
    assert "terror-ru" in cards(page(client, "/ru/publications/"))


def test_the_work_follows_its_original(world):
    arctic = world["publications"]["arctic"]
    russian = Publication.objects.get(slug="arctic-ru")
    assert russian.work == arctic.pk == Publication.objects.get(pk=arctic.pk).work
    arctic.delete()  # the translation becomes a work of its own
    russian.refresh_from_db()
    assert russian.translation_of_id is None and russian.work == russian.pk


def test_a_kind_filter_that_matches_nothing_totals_nothing(client, world):
    response = client.get("/publications/?kind=interview")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 0
    assert "No publications match these filters." in response.content.decode()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_each_option_counts_the_works_choosing_it_would_list(client, world, language):
    """Versions of one work may differ: each option counts the works it would list."""
    other = make_topic(slug="other")
    world["publications"]["arctic-ru"].topics.add(other)
    Publication.objects.filter(slug="arctic-ru").update(kind="article")
    prefix = PREFIX[language]
    counts = facets(client.get(f"{prefix}/publications/?q=dialogue"))
    assert counts["topic"] == {"arms": 4, "other": 1}
    # Reports: arctic (its English version) and terror; articles: sanctions and arctic
    # (its Russian version). In either language, though the list shows arctic once.
    assert counts["kind"] == {"report": 2, "article": 2, "briefing": 1}
    for slug, expected in (("other", 1), ("arms", 4)):
        listed = client.get(f"{prefix}/publications/?q=dialogue&topic={slug}")
        assert listed.context["page_obj"].paginator.count == expected
        assert len(cards(listed.content.decode())) == expected
    for kind in ("article", "report"):
        listed = client.get(f"{prefix}/publications/?q=dialogue&kind={kind}")
        assert len(cards(listed.content.decode())) == counts["kind"][kind]
        assert listed.context["page_obj"].paginator.count == counts["kind"][kind]
