"""Property: any query string on any API endpoint gets JSON, 200 or 400 with the reasons,
never a server error (nor an HTML page)."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogue_portal.api.throttling import ClientThrottle
from tests.factories import make_person, make_poll, make_project, make_publication, make_topic
from tests.site.test_fuzz import PARAMS, values

API_PARAMS = [*PARAMS, "cursor", "page_size"]
cursors = st.sampled_from(
    ["", "x", "eyJvIjpbXX0:1:abc", "a" * 500, "InRleHQi:1tK:x", "%00", "..%2F"]
)
query_strings = st.lists(
    st.tuples(st.sampled_from(API_PARAMS), st.one_of(values, cursors)), max_size=6
).map(lambda pairs: "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in pairs))

ENDPOINTS = [
    "/api/publications/",
    "/api/publications/pub/",
    "/api/people/",
    "/api/people/a/",
    "/api/institutions/",
    "/api/topics/",
    "/api/topics/t/",
    "/api/regions/",
    "/api/projects/",
    "/api/projects/p/",
    "/api/polls/",
    "/api/polls/poll/",
]


@pytest.fixture
def data(db, monkeypatch):
    monkeypatch.setattr(ClientThrottle, "THROTTLE_RATES", {"anon": None})
    topic, project, person = make_topic(slug="t"), make_project(slug="p"), make_person(slug="a")
    for _ in range(3):
        make_publication(authors=[person], topics=[topic], project=project)
    make_publication(slug="pub", authors=[person], topics=[topic], project=project)
    make_poll(slug="poll")


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=query_strings, index=st.integers(min_value=0, max_value=len(ENDPOINTS) - 1))
def test_random_query_strings_get_json_200_or_400(client, data, query, index):
    response = client.get(f"{ENDPOINTS[index]}?{query}")
    assert response.status_code in (200, 400), (ENDPOINTS[index], query, response.status_code)
    assert response["Content-Type"] == "application/json"
    body = response.json()
    if response.status_code == 400:
        assert isinstance(body, dict) and body


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    page_size=st.integers(min_value=1, max_value=5),
    sort=st.sampled_from(["newest", "oldest", "rating", "popular", "relevance", ""]),
)
def test_following_next_links_always_works(client, data, page_size, sort):
    url, seen = f"/api/publications/?sort={sort}&page_size={page_size}", []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        seen += [row["slug"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert len(seen) == len(set(seen)) == 4
