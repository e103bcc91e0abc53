"""The read-only JSON API: what it lists and shows, who may see it, and its HTTP manners."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from dialogue_portal.api.throttling import ClientThrottle
from polls.models import Poll
from publications.models import Authorship, Publication
from tests.factories import (
    make_attachment,
    make_audience,
    make_institution,
    make_person,
    make_poll,
    make_project,
    make_publication,
    make_region,
    make_topic,
    png_upload,
)

pytestmark = pytest.mark.django_db
SITE = settings.SITE_URL


def get(client, url, **headers):
    return client.get(url, headers=headers)


@pytest.fixture
def report():
    rusi, riac = make_institution(slug="rusi", short_name="RUSI"), make_institution(slug="riac")
    first = make_person(slug="first", family_name="Adams", institution=rusi)
    second = make_person(slug="second", family_name="Baker")
    topic, region = make_topic(slug="arms-control"), make_region(slug="europe")
    project = make_project(slug="dialogue")
    publication = make_publication(
        slug="the-report",
        title="The report",
        authors=[second, first],
        topics=[topic],
        regions=[region],
        project=project,
        project_part=2,
        rating_count=2,
        rating_sum=9,
        banner_image=png_upload(),
        banner_alt="A map",
    )
    publication.audiences.set([make_audience(slug="researchers")])
    Authorship.objects.filter(publication=publication, person=second).update(
        byline_position="Director", institution=riac
    )
    make_attachment(publication, title="Full text")
    make_publication(slug="russian-version", language="ru", translation_of=publication)
    return publication


def test_publication_detail_has_what_the_page_shows(client, report):
    response = get(client, "/api/publications/the-report/")
    assert response.status_code == 200
    data = response.json()
    assert data["title"] == "The report"
    assert data["url"] == f"{SITE}/publications/the-report/"
    assert [a["person"]["slug"] for a in data["authors"]] == ["second", "first"]
    assert [a["order"] for a in data["authors"]] == [1, 2]
    assert data["authors"][0]["position"] == "Director"
    assert data["authors"][0]["institution"]["slug"] == "riac"
    # No institution on the byline: the author's current one.
    assert data["authors"][1]["institution"]["slug"] == "rusi"
    assert data["authors"][1]["position"] == "Research Fellow"
    assert [i["slug"] for i in data["institutions"]] == ["riac", "rusi"]
    assert [t["slug"] for t in data["topics"]] == ["arms-control"]
    assert [t["slug"] for t in data["regions"]] == ["europe"]
    assert [t["slug"] for t in data["audiences"]] == ["researchers"]
    assert data["project"]["slug"] == "dialogue" and data["project_part"] == 2
    attachment = data["attachments"][0]
    assert attachment["title"] == "Full text" and attachment["size_bytes"] > 100
    assert attachment["url"].startswith(f"{SITE}/publications/the-report/")
    assert data["banner"]["url"].startswith(f"{SITE}/media/images/")
    assert data["banner"]["width"] == 40 and data["banner"]["alt"] == "A map"
    assert [v["slug"] for v in data["language_versions"]] == ["russian-version"]
    assert data["rating"] == {"count": 2, "average": 4.5}


def test_drafts_and_scheduled_work_stay_out(client, report):
    make_publication(slug="draft", status=Publication.Status.DRAFT)
    make_publication(slug="later", published_at=timezone.now() + dt.timedelta(days=1))
    slugs = [row["slug"] for row in get(client, "/api/publications/").json()["results"]]
    assert "draft" not in slugs and "later" not in slugs and "the-report" in slugs
    assert get(client, "/api/publications/draft/").status_code == 404
    assert get(client, "/api/publications/later/").status_code == 404
    assert get(client, "/api/publications/later/").json() == {
        "detail": "No Publication matches the given query."
    }


def test_the_list_takes_the_list_pages_filters_and_sorts(client, report):
    other = make_publication(slug="other", days_ago=30, view_count=50)
    rows = get(client, "/api/publications/?topic=arms-control").json()["results"]
    assert [row["slug"] for row in rows] == ["the-report"]
    rows = get(client, "/api/publications/?sort=oldest").json()["results"]
    assert rows[0]["slug"] == other.slug
    rows = get(client, "/api/publications/?sort=popular").json()["results"]
    assert rows[0]["slug"] == other.slug
    rows = get(client, "/api/publications/?author=first&language=en").json()["results"]
    assert [row["slug"] for row in rows] == ["the-report"]
    rows = get(client, "/api/publications/?institution=riac").json()["results"]
    assert [row["slug"] for row in rows] == ["the-report"]


@pytest.mark.parametrize("sort", ["newest", "oldest", "rating", "popular"])
def test_cursor_pages_cover_the_list_once_in_order(client, sort):
    for index in range(7):
        make_publication(
            days_ago=index % 3, view_count=index % 2, rating_count=index % 2, rating_sum=index % 2
        )
    expected = [
        row["slug"]
        for row in get(client, f"/api/publications/?sort={sort}&page_size=100").json()["results"]
    ]
    seen, url = [], f"/api/publications/?sort={sort}&page_size=3"
    while url:
        data = get(client, url).json()
        seen += [row["slug"] for row in data["results"]]
        url = data["next"]
    assert seen == expected and len(seen) == 7


def test_search_results_walk_by_cursor_in_relevance_order(client):
    """On RUM the rank order is the distance alone; the cursor adds the id to break ties."""
    for index in range(5):
        make_publication(title=f"Arms control and verification {index}", days_ago=index)
    make_publication(title="Something else entirely")
    expected = [
        row["slug"]
        for row in get(
            client, "/api/publications/?q=arms+control&sort=relevance&page_size=100"
        ).json()["results"]
    ]
    seen, url = [], "/api/publications/?q=arms+control&sort=relevance&page_size=2"
    while url:
        response = get(client, url)
        assert response.status_code == 200
        seen += [row["slug"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert seen == expected and len(seen) == 5


def test_a_publication_added_mid_walk_shifts_nothing(client):
    for index in range(6):
        make_publication(slug=f"p{index}", days_ago=index + 1)
    first = get(client, "/api/publications/?page_size=3").json()
    make_publication(slug="newer", days_ago=0)
    Publication.objects.filter(slug="p1").delete()
    second = get(client, first["next"]).json()
    assert [row["slug"] for row in second["results"]] == ["p3", "p4", "p5"]


@pytest.mark.parametrize(
    "query",
    [
        "cursor=junk",
        "cursor=",
        "sort=sideways",
        "date_from=2024-13-45",
        "date_from=2024-05-01&date_to=2024-01-01",
        "topic=no-such-topic",
        "kind=poem",
        "author=nobody",
        "page_size=0",
        "page_size=1000",
        "page_size=x",
        "colour=blue",
    ],
)
def test_junk_parameters_get_400_with_the_reason(client, report, query):
    response = get(client, f"/api/publications/?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()  # names the parameter and why


def test_a_cursor_from_another_sort_is_refused(client):
    for _index in range(3):
        make_publication()
    cursor = get(client, "/api/publications/?page_size=1").json()["next"].split("cursor=")[1]
    response = get(client, f"/api/publications/?sort=oldest&page_size=1&cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_people_institutions_terms_and_projects(client, report):
    make_person(slug="no-publications")
    people = get(client, "/api/people/").json()["results"]
    assert [p["slug"] for p in people] == ["first", "second"]
    person = get(client, "/api/people/first/").json()
    assert person["affiliations"][0]["institution"]["slug"] == "rusi"
    assert get(client, "/api/institutions/rusi/").json()["short_name"] == "RUSI"
    topics = get(client, "/api/topics/").json()["results"]
    assert topics[0]["api_url"] == f"{SITE}/api/topics/arms-control/"
    regions = get(client, "/api/regions/").json()["results"]
    assert regions[0]["api_url"] == f"{SITE}/api/regions/europe/"
    assert get(client, "/api/audiences/researchers/").status_code == 200
    assert get(client, "/api/projects/dialogue/").json()["slug"] == "dialogue"


def test_polls_with_results_as_the_poll_page_shows_them(client):
    poll = make_poll(slug="open", answers=("Yes", "No", "Maybe"))
    counts = [33, 30, 24]
    for choice, count in zip(poll.choices.order_by("order"), counts, strict=True):
        choice.vote_count = count
        choice.save()
    hidden = make_poll(slug="hidden", results_visibility=Poll.ResultsVisibility.AFTER_CLOSE)
    make_poll(slug="future", opens_at=timezone.now() + dt.timedelta(days=1))
    data = get(client, "/api/polls/open/").json()
    assert data["results"]["total"] == 87
    assert [row["percent"] for row in data["results"]["choices"]] == [38, 34, 28]
    assert sum(row["percent"] for row in data["results"]["choices"]) == 100
    assert get(client, f"/api/polls/{hidden.slug}/").json()["results"] is None
    assert get(client, "/api/polls/future/").status_code == 404
    slugs = [row["slug"] for row in get(client, "/api/polls/").json()["results"]]
    assert sorted(slugs) == ["hidden", "open"]


def test_get_answers_carry_etag_cache_control_and_cors(client, report):
    response = get(client, "/api/publications/the-report/")
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Access-Control-Allow-Origin"] == "*"
    etag = response["ETag"]
    again = get(client, "/api/publications/the-report/", if_none_match=etag)
    assert again.status_code == 304
    assert again["Access-Control-Allow-Origin"] == "*"


def test_cors_only_on_the_api(client, report):
    assert "Access-Control-Allow-Origin" not in get(client, "/publications/")
    preflight = client.options(
        "/api/publications/",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight["Access-Control-Allow-Methods"]


def test_writes_are_not_allowed(client, report):
    for method in (client.post, client.put, client.patch, client.delete):
        response = method("/api/publications/the-report/")
        assert response.status_code == 405
        assert "Access-Control-Allow-Origin" not in response


def test_throttling_answers_429_as_json(client, monkeypatch, report):
    monkeypatch.setattr(ClientThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    codes = [get(client, "/api/topics/").status_code for _ in range(3)]
    refused = get(client, "/api/topics/")
    forged = get(client, "/api/topics/", x_forwarded_for="10.0.0.9")
    assert codes == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/json"
    assert "throttled" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    assert refused["Cache-Control"] == "no-store"
    assert forged.status_code == 429  # X-Forwarded-For is not trusted by default


def test_throttling_counts_per_client_behind_trusted_proxies(client, monkeypatch, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(ClientThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
    assert get(client, "/api/topics/", x_forwarded_for="192.0.2.1").status_code == 200
    assert get(client, "/api/topics/", x_forwarded_for="192.0.2.1").status_code == 429
    assert get(client, "/api/topics/", x_forwarded_for="192.0.2.2").status_code == 200


@pytest.mark.slow
def test_the_throttle_rate_comes_from_the_environment():
    import subprocess
    import sys

    # Django's settings, read without setting the apps up.
    code = (
        "import os; os.environ['DJANGO_SETTINGS_MODULE']='dialogue_portal.settings';"
        "from django.conf import settings;"
        "print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES']['anon'])"
    )
    for value, expected in (("7/second", "7/second"), ("0", "None")):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={"API_THROTTLE_RATE": value, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == expected
