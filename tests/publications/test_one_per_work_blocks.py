"""One card per work in every block of cards: each page that lists publications is
walked in both interface languages, and within each block (a section or a nav) every
work appears once, as its version in the interface language where a public one exists,
otherwise as its original."""

import re

import pytest
from lxml import html as lxml_html

from publications.models import Publication
from tests.factories import (
    make_institution,
    make_person,
    make_poll,
    make_project,
    make_publication,
    make_region,
    make_topic,
)

pytestmark = pytest.mark.django_db

PREFIX = {"en": "", "ru": "/ru"}
PUBLICATION_PATH = re.compile(r"^(?:/ru)?/publications/([\w-]+)/$")
# Links that lead to another version of a publication on purpose: a card's badge, the
# page's "Also available in" and the language switcher (outside <main>).
NOT_ITEMS = "ancestor-or-self::*[contains(@class, 'version-badge') or contains(@class, 'versions')]"


@pytest.fixture
def world():
    """A project in four parts and four other works, all sharing a topic, a region, an
    author (and so an institution) and the word "dialogue":

    - part 1 and part 2: English originals with Russian versions;
    - part 3: Russian only; part 4: English only;
    - terror: English original with a Russian version (featured in English);
    - sanctions: Russian original with an English version;
    - arctic: English original whose Russian version is a draft;
    - cyber: English only.

    Every version is read and rated, so "most read" and "top rated" meet both."""
    topic, region = make_topic(slug="security"), make_region(slug="europe")
    project = make_project(slug="dialogue")
    institution = make_institution(slug="riac")
    author = make_person(institution=institution, slug="author")
    made = {}

    def make(slug, days_ago, original=None, **fields):
        fields.setdefault("language", "ru" if slug.endswith("-ru") else "en")
        made[slug] = make_publication(
            slug=slug,
            title=f"Dialogue {slug}",
            days_ago=days_ago,
            summary="Findings of the security dialogue.",
            translation_of=made.get(original),
            authors=[author],
            topics=[topic],
            regions=[region],
            **fields,
        )

    for part, days_ago in ((1, 20), (2, 18)):
        make(f"part-{part}", days_ago, project=project, project_part=part)
        make(f"part-{part}-ru", days_ago, f"part-{part}", project=project, project_part=part)
    make("part-3-ru", 16, project=project, project_part=3)
    make("part-4", 14, project=project, project_part=4)
    make("terror", 5, featured=True)
    make("terror-ru", 5, "terror")
    make("sanctions-ru", 4)
    make("sanctions", 4, "sanctions-ru")
    make("arctic", 3)
    make("arctic-ru", 3, "arctic", status=Publication.Status.DRAFT)
    make("cyber", 2)
    Publication.objects.update(
        view_count=10, rating_count=1, rating_sum=5, ranked_count=1, ranked_average=5.0
    )
    poll = make_poll(slug="talks")
    poll.publications.set([made["terror"], made["terror-ru"], made["cyber"]])
    return {
        "publications": made,
        "pages": [
            "/",
            "/publications/",
            "/publications/part-2/",
            "/publications/part-2-ru/",
            "/publications/cyber/",
            author.get_absolute_url(),
            institution.get_absolute_url(),
            topic.get_absolute_url(),
            region.get_absolute_url(),
            project.get_absolute_url(),
            "/search/?q=dialogue",
            poll.get_absolute_url(),
        ],
    }


def blocks(page_html):
    """{block: [slug of each item]} of a page: every link to a publication in <main>,
    grouped by the section or nav that holds it. An item is a card or a list item (a
    card's links count once); the current part of a series counts as its page."""
    main = lxml_html.fromstring(page_html).find(".//main")
    found = {}
    seen = set()
    for link in main.iter("a"):
        slug = PUBLICATION_PATH.match(link.get("href", ""))
        if not slug or link.xpath(NOT_ITEMS):
            continue
        item = link.xpath("ancestor-or-self::*[self::li or self::article][1]")[0]
        if item in seen:
            continue
        seen.add(item)
        block = link.xpath("ancestor::*[self::section or self::nav][1]")
        name = describe(block[0]) if block else "main"
        found.setdefault(name, []).append(slug.group(1))
    for current in main.xpath(".//nav[contains(@class, 'series')]//*[@aria-current]"):
        found.setdefault(describe(current.xpath("ancestor::nav[1]")[0]), []).append("(page)")
    return found


def describe(element):
    return f"{element.tag}.{element.get('class', '')}#{element.get('aria-labelledby', '')}"


def preferred(language):
    """{slug: work id} of every public version, and {work id: slug} of the version each
    work shows in ``language``."""
    rows = list(
        Publication.objects.published()
        .order_by("pk")
        .values_list("slug", "work", "language", "translation_of")
    )
    work_of = {slug: work for slug, work, *_rest in rows}

    def rank(row):  # the interface language first, then the original, then the oldest
        _slug, _work, row_language, translation_of = row
        return (row_language != language, translation_of is not None)

    chosen = {}
    for slug, work, *_rest in sorted(rows, key=rank):
        chosen.setdefault(work, slug)
    return work_of, chosen


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "ru"])
def test_every_block_shows_each_work_once_in_the_readers_language(client, world, language):
    work_of, chosen = preferred(language)
    walked, problems = {}, []
    for path in world["pages"]:
        url = PREFIX[language] + path
        response = client.get(url)
        assert response.status_code == 200, url
        page_slug = PUBLICATION_PATH.match(path)
        for block, slugs in blocks(response.content.decode()).items():
            walked[url, block] = slugs
            # The current part of a series stands for the page's own work.
            works = [work_of[page_slug.group(1) if s == "(page)" else s] for s in slugs]
            if len(works) != len(set(works)):
                problems.append(f"{url} {block}: a work twice in {slugs}")
            shown_elsewhere = [s for s in slugs if s != "(page)" and chosen[work_of[s]] != s]
            if shown_elsewhere:
                problems.append(f"{url} {block}: not in {language}: {shown_elsewhere}")
    assert not problems, "\n".join(problems)
    # The walk met every kind of block it is meant to check.
    names = " ".join(block for _url, block in walked)
    for block in (
        "featured-heading",
        "latest-heading",
        "most-read-heading",
        "top-rated-heading",
        "results",
        "related",
        "series",
        "rounds",
        "person-publications",
        "inst-publications",
        "term-publications",
        "sr-publications",
        "poll-publications",
    ):
        assert block in names, block
    # Works in more than one version were met in the related list and the series.
    related = walked[PREFIX[language] + "/publications/part-2/", "section.related#related-heading"]
    series = walked[PREFIX[language] + "/publications/part-2/", "nav.series#series-heading"]
    assert len(related) == 4
    assert len(series) == 4
