"""Every page a reader GETs is cached for anonymous readers, made stale by an editorial
change, and shared by every query string that asks for the same page."""

import pytest
from django.http import QueryDict
from django.test import Client

from dialogue_portal.core.pagecache import QuerySpec, bump_content_version, canonical_query
from publications.views import LIST_QUERY
from tests.desk.helpers import post_form
from tests.factories import (
    make_institution,
    make_person,
    make_poll,
    make_programme,
    make_project,
    make_publication,
    make_region,
    make_topic,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 60
    settings.PAGE_TOTALS_SECONDS = 5
    return settings


def build():
    institution = make_institution(slug="inst")
    person = make_person(slug="ann-author", institution=institution)
    topic, region = make_topic(slug="arms"), make_region(slug="europe")
    project, programme = make_project(slug="proj"), make_programme(slug="prog")
    publication = make_publication(
        title="Arms control after the treaties",
        authors=[person],
        topics=[topic],
        regions=[region],
        project=project,
        programme=programme,
    )
    audience = publication.audiences.first()
    poll = make_poll(placement="everywhere")
    pages = {
        "home": "/",
        "list": "/publications/",
        "list_filtered": f"/publications/?topic={topic.slug}&date_from=2000-01-01",
        "list_sorted": "/publications/?sort=rating",
        "list_page_2": "/publications/?page=2",
        "detail": publication.get_absolute_url(),
        "topic": topic.get_absolute_url(),
        "region": region.get_absolute_url(),
        "project": project.get_absolute_url(),
        "programme": programme.get_absolute_url(),
        "people": "/people/",
        "person": person.get_absolute_url(),
        "institution": institution.get_absolute_url(),
        "browse": "/topics/",
        "search": "/search/?q=arms",
        "polls": "/polls/",
        "poll": poll.get_absolute_url(),
        "feed_rss": "/feeds/latest.rss",
        "feed_atom": "/feeds/latest.atom",
        "feed_topic": f"/feeds/topics/{topic.slug}.rss",
        "feed_person": f"/feeds/people/{person.slug}.rss",
        "sitemap": "/sitemap.xml",
        "sitemap_section": "/sitemap-publications.xml",
        "russian_home": "/ru/",
    }
    if audience is not None:
        pages["audience"] = audience.get_absolute_url()
    return pages


@pytest.mark.slow
def test_every_page_kind_is_cached_and_made_stale_by_an_editorial_change(page_cache):
    pages = build()
    for name, url in pages.items():
        first = Client().get(url)
        assert first.status_code == 200, name
        assert first["X-Page-Cache"] == "miss", name
        assert not first.cookies, name
        second = Client().get(url)
        assert second["X-Page-Cache"] == "hit", name
        assert second.content == first.content, name
        assert "public" in second["Cache-Control"], name
        assert b"csrfmiddlewaretoken" not in second.content, name
    bump_content_version()  # what every editorial save does
    for name, url in pages.items():
        assert Client().get(url)["X-Page-Cache"] == "miss", name


def test_an_editorial_save_in_the_admin_makes_cached_pages_show_it(
    page_cache, editor_client, django_capture_on_commit_callbacks
):
    topic = make_topic(slug="arms", name="Arms control")
    make_publication(title="On arms", topics=[topic])
    urls = ("/", "/publications/", topic.get_absolute_url(), "/topics/")
    for url in urls:
        Client().get(url)
        assert Client().get(url)["X-Page-Cache"] == "hit", url
    with django_capture_on_commit_callbacks(execute=True):  # the save commits
        response = post_form(
            editor_client,
            f"/admin/publications/topic/{topic.pk}/change/",
            {"name": "Arms and treaties", "name_ru": "", "slug": "arms", "description": ""},
        )
    assert response.status_code == 302
    for url in urls:
        page = Client().get(url)
        assert page["X-Page-Cache"] == "miss", url
        assert "Arms and treaties" in page.content.decode(), url


@pytest.mark.slow
def test_signed_in_and_staff_readers_bypass_every_page(page_cache, client, editor):
    pages = build()
    client.force_login(editor)
    for name, url in pages.items():
        response = client.get(url)
        assert "X-Page-Cache" not in response, name
        assert "private" in response["Cache-Control"], name


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("/publications/?topic=arms&sort=rating", "/publications/?sort=rating&topic=arms"),
        ("/publications/?topic=arms&topic=cyber", "/publications/?topic=cyber&topic=arms"),
        ("/publications/?topic=arms", "/publications/?topic=arms&topic=arms"),
        ("/publications/", "/publications/?q=&topic=&kind=&date_from="),
        ("/publications/", "/publications/?page=1&sort=newest"),
        ("/publications/", "/publications/?utm_source=newsletter&fbclid=x"),
        ("/publications/?q=arms+control", "/publications/?q=++arms+++control+"),
        ("/publications/?sort=oldest", "/publications/?sort=rating&sort=oldest"),
        ("/search/?q=arms", "/search/?q=+arms&utm_medium=email"),
        ("/people/", "/people/?page=1&q="),
        ("/polls/", "/polls/?page=1"),
        ("/topics/arms/", "/topics/arms/?page=&x=1"),
    ],
)
def test_equivalent_query_strings_share_one_entry(page_cache, one, other):
    make_topic(slug="arms")
    make_topic(slug="cyber")
    make_publication(title="Arms control")
    first = Client().get(one)
    assert first.status_code == 200 and first["X-Page-Cache"] == "miss"
    second = Client().get(other)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("/publications/?topic=arms", "/publications/?topic=cyber"),
        ("/publications/?sort=rating", "/publications/?sort=oldest"),
        ("/publications/?page=2", "/publications/"),
        ("/search/?q=arms", "/search/?q=control"),
        ("/publications/", "/ru/publications/"),
    ],
)
def test_different_pages_do_not_share_an_entry(page_cache, one, other):
    make_topic(slug="arms")
    make_topic(slug="cyber")
    Client().get(one)
    assert Client().get(other)["X-Page-Cache"] == "miss"


def test_an_htmx_update_of_the_list_is_cached_apart_from_the_full_page(page_cache):
    make_publication(title="Arms control")
    full = Client().get("/publications/")
    partial = Client().get("/publications/", headers={"HX-Request": "true"})
    assert full["X-Page-Cache"] == "miss" and partial["X-Page-Cache"] == "miss"
    assert b"<html" in full.content and b"<html" not in partial.content
    again = Client().get("/publications/", headers={"HX-Request": "true"})
    assert again["X-Page-Cache"] == "hit" and again.content == partial.content
    assert "HX-Request" in again["Vary"]


def test_canonical_query_orders_drops_and_deduplicates():
    spec = QuerySpec(
        single=("q", "sort", "page"),
        multi=("topic",),
        defaults={"page": "1", "sort": lambda params: "relevance" if "q" in params else "new"},
        clean={"q": lambda value: " ".join(value.split())},
    )

    def normal(raw):
        return canonical_query(QueryDict(raw), spec)

    assert normal("topic=b&topic=a&topic=b") == "topic=a&topic=b"
    assert normal("sort=old&topic=a") == normal("topic=a&sort=old") == "sort=old&topic=a"
    assert normal("q=&topic=&page=") == ""
    assert normal("page=1&sort=new") == ""
    assert normal("q=x&sort=relevance") == "q=x"
    assert normal("q=x&sort=new") == "q=x&sort=new"  # not the default once there is a query
    assert normal("sort=a&sort=b") == "sort=b"  # GET.get() reads the last value
    assert normal("q=++two+++words+") == "q=two+words"
    assert normal("unknown=1&page=3") == "page=3"
    words = QueryDict(mutable=True)
    words["q"] = "café & tê"
    assert normal("q=caf%C3%A9+%26+t%C3%AA") == words.urlencode()  # encoded as QueryDict does


def test_the_list_spec_names_every_filter_the_list_reads():
    from publications.filters import PublicationFilter

    named = {*LIST_QUERY.single, *LIST_QUERY.multi}
    assert set(PublicationFilter.base_filters) | {"page"} == named
