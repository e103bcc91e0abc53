"""Drafts, work in review and scheduled publications reach no public page, feed or file.

One published publication and three hidden ones share everything (author, institution,
topic, region, audience, project, programme, a translation link), so every place that lists
"publications with X" is asked about each of them. Hidden ones carry a marker in their title
and slug that must appear in no public response.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from polls.models import Poll
from publications.models import Publication
from tests.factories import (
    make_attachment,
    make_audience,
    make_institution,
    make_person,
    make_poll,
    make_programme,
    make_project,
    make_publication,
    make_region,
    make_topic,
)
from tests.sitemaps import page_holding

pytestmark = pytest.mark.django_db

MARKER = "zzhidden"
HIDDEN = {
    "draft": {"status": Publication.Status.DRAFT, "published_at": None},
    "review": {"status": Publication.Status.REVIEW, "published_at": None},
    "scheduled": {"status": Publication.Status.PUBLISHED, "days_ago": -1},
    "draft-with-past-date": {"status": Publication.Status.DRAFT, "days_ago": 3},
}


@pytest.fixture
def world():
    institution = make_institution(slug="rusi")
    author = make_person(institution=institution, slug="shared-author", family_name="Shared")
    # Someone whose only work is unpublished: no public page should list them as an author.
    hidden_author = make_person(slug=f"{MARKER}-author", family_name=f"Hidden{MARKER}")
    tags = {
        "topic": make_topic(slug="arms-control"),
        "region": make_region(slug="europe"),
        "audience": make_audience(slug="researchers"),
        "programme": make_programme(slug="iss"),
        "project": make_project(slug="dialogue"),
    }
    # A topic that only hidden work has: it must not appear in lists of topics either.
    hidden_topic = make_topic(slug=f"{MARKER}-topic", name=f"Topic {MARKER}")

    def tagged(publication):
        publication.audiences.set([tags["audience"]])
        return publication

    public = tagged(
        make_publication(
            slug="public-report",
            title="Public report",
            authors=[author],
            topics=[tags["topic"]],
            regions=[tags["region"]],
            project=tags["project"],
            project_part=1,
            programme=tags["programme"],
            days_ago=5,
        )
    )
    make_attachment(public)
    hidden = []
    for part, (name, fields) in enumerate(HIDDEN.items(), start=2):
        publication = tagged(
            make_publication(
                slug=f"{MARKER}-{name}",
                title=f"Secret {MARKER} {name}",
                summary=f"Summary {MARKER}",
                authors=[author, hidden_author],
                topics=[tags["topic"], hidden_topic],
                regions=[tags["region"]],
                project=tags["project"],
                project_part=part,
                programme=tags["programme"],
                language="ru" if name == "draft" else "en",
                translation_of=public if name == "draft" else None,
                featured=True,
                **fields,
            )
        )
        make_attachment(publication)
        hidden.append(publication)
    poll = make_poll(placement=Poll.Placement.EVERYWHERE)
    poll.publications.set([public, *hidden])
    return {
        "public": public,
        "hidden": hidden,
        "author": author,
        "hidden_author": hidden_author,
        "institution": institution,
        "tags": tags,
        "hidden_topic": hidden_topic,
        "poll": poll,
    }


def public_urls(world):
    tags, public, author = world["tags"], world["public"], world["author"]
    urls = [
        "/",
        "/publications/",
        "/publications/?q=Secret",
        "/publications/?q=Summary",
        "/publications/?sort=oldest",
        f"/publications/?author={author.slug}",
        f"/publications/?institution={world['institution'].slug}",
        f"/publications/?topic={tags['topic'].slug}",
        f"/publications/?project={tags['project'].slug}",
        "/publications/?language=ru",
        "/publications/?status=draft",
        "/search/?q=Secret",
        "/search/?q=Hidden",
        public.get_absolute_url(),
        reverse("publications:cite-bib", args=[public.slug]),
        reverse("publications:cite-ris", args=[public.slug]),
        author.get_absolute_url(),
        world["institution"].get_absolute_url(),
        "/people/",
        "/people/?q=Hidden",
        "/topics/",
        *(tag.get_absolute_url() for tag in tags.values()),
        world["poll"].get_absolute_url(),
        "/polls/",
        "/feeds/latest.rss",
        "/feeds/latest.atom",
        f"/feeds/topics/{tags['topic'].slug}.rss",
        f"/feeds/people/{author.slug}.rss",
        f"/feeds/projects/{tags['project'].slug}.rss",
        "/sitemap.xml",
        *{page_holding("publications", row.pk) for row in [public, *world["hidden"]]},
        *{page_holding("people", row.pk) for row in [author, world["hidden_author"]]},
        "/sitemap-topics.xml",
        "/sitemap-regions.xml",
        "/sitemap-projects.xml",
    ]
    return urls + ["/ru" + url for url in urls if not url.startswith(("/feeds", "/sitemap"))]


def body(response):
    content = b"".join(response) if response.streaming else response.content
    return content.decode("utf-8", "replace")


@pytest.mark.slow
def test_hidden_publications_appear_on_no_public_page(client, world):
    for url in public_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        assert MARKER not in text.lower(), f"{url} shows unpublished work"
        for hidden in world["hidden"]:
            assert hidden.get_absolute_url() not in text, url


def test_hidden_publications_are_not_found_by_url_or_file(client, world):
    for hidden in world["hidden"]:
        slug = hidden.slug
        for url in [
            hidden.get_absolute_url(),
            "/ru" + hidden.get_absolute_url(),
            reverse("publications:cite-bib", args=[slug]),
            reverse("publications:cite-ris", args=[slug]),
            hidden.attachments.get().get_absolute_url(),
        ]:
            assert client.get(url).status_code == 404, url
        # Nor through the public publication's slug with the hidden file's number.
        mixed = reverse(
            "publications:download",
            args=[world["public"].slug, hidden.attachments.get().pk],
        )
        assert client.get(mixed).status_code == 404


def test_hidden_people_and_topics_get_no_feed_or_page(client, world):
    assert client.get(f"/feeds/people/{world['hidden_author'].slug}.rss").status_code in (200, 404)
    feed = body(client.get(f"/feeds/people/{world['hidden_author'].slug}.rss"))
    assert "Secret" not in feed
    feed = body(client.get(f"/feeds/topics/{world['hidden_topic'].slug}.rss"))
    assert "Secret" not in feed


def test_facet_counts_count_only_published_work(client, world):
    page = body(client.get("/publications/"))
    assert re.search(r"1 publication\b", page), "the result count includes hidden work"
    counts = [int(n) for n in re.findall(r'class="count">\((\d+)\)<', page)]
    assert counts and all(n == 1 for n in counts), counts
    browse = body(client.get("/topics/"))
    assert MARKER not in browse


def test_a_signed_in_reader_who_is_not_staff_sees_nothing_more(client, world, reader):
    client.force_login(reader)
    for hidden in world["hidden"]:
        assert client.get(hidden.get_absolute_url()).status_code == 404
    assert MARKER not in body(client.get("/publications/"))


def test_a_scheduled_publication_appears_when_its_time_comes(client, world):
    scheduled = next(p for p in world["hidden"] if p.slug.endswith("-scheduled"))
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    Publication.objects.filter(pk=scheduled.pk).update(
        published_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert client.get(scheduled.get_absolute_url()).status_code == 200


def test_staff_preview_is_not_served_to_the_public_from_the_page_cache(
    client, editor, world, settings
):
    settings.PAGE_CACHE_SECONDS = 60
    draft = world["hidden"][0]
    client.force_login(editor)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get("/publications/").status_code == 200
    client.logout()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert MARKER not in body(client.get("/publications/"))


def test_unpublishing_in_the_admin_is_seen_at_once_despite_the_page_cache(
    client, reviewer, world, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_SECONDS = 60
    public = world["public"]
    for url in (public.get_absolute_url(), "/publications/", "/feeds/latest.rss"):
        assert public.title in body(client.get(url))
        assert public.title in body(client.get(url))  # now served from the page cache
    reviewer_client = type(client)()
    reviewer_client.force_login(reviewer)
    changelist = reverse("admin:publications_publication_changelist")
    # The caches move on once the admin's write commits (dialogue_portal.core.freshness).
    with django_capture_on_commit_callbacks(execute=True):
        reviewer_client.post(changelist, {"action": "unpublish", "_selected_action": [public.pk]})
    assert client.get(public.get_absolute_url()).status_code == 404
    assert public.title not in body(client.get("/publications/"))
    assert public.title not in body(client.get("/feeds/latest.rss"))
