import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from dialogue_portal.core.pagecache import bump_content_version
from publications.models import Publication
from tests.factories import (
    make_audience,
    make_institution,
    make_person,
    make_project,
    make_publication,
    make_region,
    make_topic,
)

pytestmark = pytest.mark.django_db
LIST = reverse("publications:list")


def titles(response):
    return [p.title for p in response.context["publications"]]


def test_lists_published_work_newest_first(client):
    old = make_publication(title="Old", days_ago=30)
    new = make_publication(title="New", days_ago=1)
    make_publication(title="Draft", status=Publication.Status.DRAFT)
    make_publication(title="Scheduled", published_at=timezone.now() + dt.timedelta(days=2))
    response = client.get(LIST)
    assert titles(response) == [new.title, old.title]
    assert "2 publications" in response.content.decode()


def test_filters_by_kind_topic_region_project_language_audience(client):
    topic, region, project, audience = make_topic(), make_region(), make_project(), make_audience()
    match = make_publication(
        title="Match",
        kind="briefing",
        topics=[topic],
        regions=[region],
        project=project,
        language="ru",
    )
    match.audiences.set([audience])
    make_publication(title="Other", kind="report")
    query = (
        f"?kind=briefing&topic={topic.slug}&region={region.slug}&project={project.slug}"
        f"&language=ru&audience={audience.slug}"
    )
    assert titles(client.get(LIST + query)) == ["Match"]


def test_options_within_a_facet_are_alternatives(client):
    a, b = make_topic(), make_topic()
    make_publication(title="A", topics=[a])
    make_publication(title="B", topics=[b])
    make_publication(title="AB", topics=[a, b])
    response = client.get(f"{LIST}?topic={a.slug}&topic={b.slug}")
    assert sorted(titles(response)) == ["A", "AB", "B"]  # AB listed once


def test_filters_by_author_and_institution(client):
    rusi, riac = make_institution(slug="rusi"), make_institution(slug="riac")
    chalmers = make_person(institution=rusi, slug="chalmers")
    kortunov = make_person(institution=riac, slug="kortunov")
    make_publication(title="By Chalmers", authors=[chalmers])
    make_publication(title="By Kortunov", authors=[kortunov])
    assert titles(client.get(f"{LIST}?author=chalmers")) == ["By Chalmers"]
    assert titles(client.get(f"{LIST}?institution=riac")) == ["By Kortunov"]


def test_filters_by_date_range(client):
    make_publication(title="2018", published_at=dt.datetime(2018, 3, 27, tzinfo=dt.UTC))
    make_publication(title="2019", published_at=dt.datetime(2019, 7, 8, tzinfo=dt.UTC))
    response = client.get(f"{LIST}?date_from=2019-01-01&date_to=2019-12-31")
    assert titles(response) == ["2019"]


def test_sorts(client):
    low = make_publication(title="Low", days_ago=1, rating_count=2, rating_sum=4)
    high = make_publication(title="High", days_ago=5, rating_count=1, rating_sum=5)
    read = make_publication(title="Read", days_ago=9, view_count=500)
    assert titles(client.get(f"{LIST}?sort=rating"))[:2] == [high.title, low.title]
    assert titles(client.get(f"{LIST}?sort=popular"))[0] == read.title
    assert titles(client.get(f"{LIST}?sort=oldest")) == ["Read", "High", "Low"]


def test_search_matches_title_summary_and_author_names(client):
    lain = make_person(family_name="Lain")
    make_publication(title="Nuclear arms control")
    make_publication(title="Other", summary="About the INF Treaty")
    make_publication(title="By Lain", authors=[lain])
    make_publication(title="Unrelated")
    assert titles(client.get(f"{LIST}?q=nuclear")) == ["Nuclear arms control"]
    assert titles(client.get(f"{LIST}?q=INF")) == ["Other"]
    assert titles(client.get(f"{LIST}?q=Lain")) == ["By Lain"]


def test_facet_counts_say_what_each_option_would_give(client):
    a, b = make_topic(name="Alpha"), make_topic(name="Beta")
    make_publication(kind="report", topics=[a])
    make_publication(kind="report", topics=[a, b])
    make_publication(kind="briefing", topics=[b])
    response = client.get(f"{LIST}?kind=report")
    facets = {
        f["name"]: {o["value"]: o["count"] for o in f["options"]}
        for f in response.context["facets"]()  # built only when the template needs it
    }
    assert facets["topic"] == {a.slug: 2, b.slug: 1}  # within reports
    assert facets["kind"] == {"report": 2, "briefing": 1}  # own facet not narrowed


def test_active_filters_show_as_removable_chips(client):
    topic = make_topic(name="Cyber Security")
    make_publication(topics=[topic])
    response = client.get(f"{LIST}?topic={topic.slug}&q=cyber&page=1")
    chips = response.context["chips"]
    labels = [chip["label"] for chip in chips]
    assert "Topic: Cyber Security" in labels and "Search: cyber" in labels
    topic_chip = next(chip for chip in chips if chip["label"].startswith("Topic"))
    assert topic_chip["url"] == "?q=cyber"


def test_htmx_request_gets_only_the_results_fragment(client):
    make_publication(title="Fragment")
    response = client.get(LIST, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="results"' in html and "Fragment" in html
    assert "<html" not in html and 'id="filters"' not in html
    # The facet counts follow the results, swapped out of band.
    assert '<div id="facets" data-hx-swap-oob="true">' in html


@pytest.mark.parametrize("cached", [True, False])
@pytest.mark.parametrize(
    ("sent", "pushed"),
    [
        # The form as htmx sends it: every field, the empty ones and the default sort too.
        (
            "?q=&sort=newest&kind=report&date_from=&date_to=",
            "/publications/?kind=report",
        ),
        ("?sort=rating&kind=report&kind=article&q=+talks+", None),
        ("?q=&sort=newest&date_from=&date_to=", "/publications/"),
        ("?page=1&sort=newest&unknown=1", "/publications/"),
        ("?sort=newest&page=2", "/publications/?page=2"),
    ],
)
def test_filtering_in_place_pushes_the_address_without_defaults(
    client, settings, sent, pushed, cached
):
    """The address bar after an htmx filter names what differs from the defaults, the
    parameters the page cache keys on, in their order, whether the page cache is on or
    not (signed-in readers are never served from it)."""
    if not cached:
        settings.PAGE_CACHE_SECONDS = 0
    make_publication(kind="report")
    if pushed is None:
        pushed = "/publications/?kind=article&kind=report&q=talks&sort=rating"
    for prefix in ("", "/ru"):
        for attempt in ("miss", "hit"):
            response = client.get(prefix + LIST + sent, headers={"HX-Request": "true"})
            assert response.status_code == 200
            assert response["HX-Push-Url"] == prefix + pushed, (prefix, attempt)


def test_a_page_without_htmx_pushes_no_address(client):
    response = client.get(LIST + "?q=&kind=report")
    assert response.status_code == 200
    assert "HX-Push-Url" not in response


def test_pagination_with_result_count(client):
    for _ in range(25):
        make_publication()
    first = client.get(LIST)
    assert len(first.context["publications"]) == 20
    assert "25 publications" in first.content.decode()
    assert "Page 1 of 2" in first.content.decode()
    assert len(client.get(f"{LIST}?page=2").context["publications"]) == 5


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=-1",
        "page=99999",
        "page=1e9",
        "page=" + "9" * 40,
        "date_from=2024-13-45",
        "date_to=not-a-date",
        "date_from=2020-01-01&date_to=2019-01-01",
        "q=" + "x" * 10_000,
        "q=%25",
        "q=_",
        "q=%00",
        "q=100%25_off",
        "q=%F0%9F%98%80",
        "sort=bogus",
        "sort=relevance",
        "kind=nonsense",
        "topic=nope",
        "topic=",
        "language=xx",
        "author=nobody",
        "institution=%00",
        "audience[]=1",
        "region=%ZZ",
    ],
)
def test_bad_query_strings_give_a_page_not_a_500(client, query):
    make_publication(title="Still here")
    response = client.get(f"{LIST}?{query}")
    assert response.status_code == 200


def test_invalid_dates_show_form_errors(client):
    response = client.get(f"{LIST}?date_from=2020-01-01&date_to=2019-01-01")
    assert "The end date is before the start date." in response.content.decode()
    response = client.get(f"{LIST}?date_from=2024-13-45")
    assert "Enter a valid date." in response.content.decode()


def test_page_past_the_end_shows_the_last_page(client):
    for _ in range(3):
        make_publication()
    response = client.get(f"{LIST}?page=99999")
    assert response.context["page_obj"].number == 1
    assert len(response.context["publications"]) == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 7),
        ("language=ru", 3),
        ("kind=article", 2),
        ("language=en&kind=report", 2),  # both chosen: the total is counted, not added up
        ("language=en&language=ru&kind=report&kind=article", 5),
        ("q=Stability", 1),
    ],
)
def test_the_total_matches_the_filtered_list(client, query, expected):
    for _ in range(2):
        make_publication(kind="report", language="en")
    make_publication(kind="article", language="en")
    make_publication(kind="commentary", language="en")
    make_publication(kind="report", language="ru")
    make_publication(kind="article", language="ru", title="Strategic Stability")
    make_publication(kind="conference-report", language="ru")
    response = client.get(f"{LIST}?{query}")
    assert response.context["page_obj"].paginator.count == expected
    assert len(response.context["publications"]) == expected
    assert f"{expected} publications" in response.content.decode() or expected == 1


def test_a_list_filtered_by_a_term_follows_the_term_not_its_slug(client):
    first = make_topic(slug="arms-control", name="Arms control")
    make_publication(title="About the first term", topics=[first])
    url = reverse("publications:list") + "?topic=arms-control"
    assert [p.title for p in client.get(url).context["publications"]] == ["About the first term"]
    # An editor deletes the term and makes another with the same slug.
    first.delete()
    second = make_topic(slug="arms-control", name="Arms control")
    make_publication(title="About the second term", topics=[second])
    bump_content_version()
    assert [p.title for p in client.get(url).context["publications"]] == ["About the second term"]
