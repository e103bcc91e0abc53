"""Property: any query string on any public page gives a page (200, or a redirect or 404
where the path itself says so), never a server error."""

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import (
    make_person,
    make_poll,
    make_project,
    make_publication,
    make_topic,
)

PARAMS = [
    "q",
    "page",
    "sort",
    "kind",
    "topic",
    "region",
    "project",
    "programme",
    "audience",
    "language",
    "author",
    "institution",
    "date_from",
    "date_to",
    "letter",
    "x",
]

values = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(str),
    st.sampled_from(
        [
            "2024-13-45",
            "%",
            "_",
            "\x00",
            "😀",
            "' OR 1=1 --",
            "<script>",
            "∞",
            "relevance",
            "rating",
            "oldest",
            "report",
            "ru",
            "../../",
        ]
    ),
)
query_strings = st.lists(st.tuples(st.sampled_from(PARAMS), values), max_size=6).map(
    lambda pairs: "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in pairs)
)


@pytest.fixture
def pages(db):
    topic, project, person = make_topic(slug="t"), make_project(slug="p"), make_person(slug="a")
    publication = make_publication(slug="pub", authors=[person], topics=[topic], project=project)
    make_poll(slug="poll")
    return [
        "/",
        "/publications/",
        publication.get_absolute_url(),
        "/people/",
        "/people/a/",
        "/topics/",
        "/topics/t/",
        "/projects/p/",
        "/search/",
        "/polls/",
        "/polls/poll/",
        "/ru/publications/",
        "/feeds/latest.rss",
        "/sitemap.xml",
    ]


@pytest.mark.slow
@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(query=query_strings, index=st.integers(min_value=0, max_value=13))
def test_random_query_strings_never_break_a_page(client, pages, query, index):
    response = client.get(f"{pages[index]}?{query}")
    assert response.status_code in (200, 301, 302), (pages[index], query, response.status_code)
