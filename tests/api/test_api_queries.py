"""Each API page costs a fixed number of queries, whatever the number of rows, authors,
tags or attachments: the same at sizes 1 and 4, and pinned."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from polls.models import Poll
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_poll,
    make_project,
    make_publication,
    make_region,
    make_topic,
)

pytestmark = pytest.mark.django_db

# Each endpoint: queries with every cache empty (the term lists the filters validate
# against are read once, then cached).
EXPECTED = {
    "publications": 2,  # page, authors
    "publications_filtered": 3,  # + the term lists the topic is checked against
    "publications_sorted": 2,
    "publication": 7,  # row, authors, attachments, topics, regions, audiences, versions
    "people": 2,  # page, affiliations
    "person": 2,
    "institutions": 1,
    "topics": 1,
    "projects": 2,  # page, institutions
    "polls": 2,  # page, answers
    "poll": 2,
}


def build(size):
    institution = make_institution(slug=f"inst-{size}")
    people = [make_person(institution=institution) for _ in range(size)]
    topics = [make_topic() for _ in range(size)]
    regions = [make_region() for _ in range(size)]
    project = make_project()
    project.institutions.set([institution])
    publications = [
        make_publication(authors=people, topics=topics, regions=regions, project=project)
        for _ in range(size)
    ]
    for publication in publications:
        for _ in range(size):
            make_attachment(publication)
    make_publication(language="ru", translation_of=publications[0])
    polls = [make_poll(answers=[f"a{n}" for n in range(size + 1)]) for _ in range(size)]
    return {
        "publications": "/api/publications/",
        "publications_filtered": f"/api/publications/?topic={topics[0].slug}&date_from=2000-01-01",
        "publications_sorted": "/api/publications/?sort=rating",
        "publication": f"/api/publications/{publications[0].slug}/",
        "people": "/api/people/",
        "person": f"/api/people/{people[0].slug}/",
        "institutions": "/api/institutions/",
        "topics": "/api/topics/",
        "projects": "/api/projects/",
        "polls": "/api/polls/",
        "poll": f"/api/polls/{polls[0].slug}/",
    }


def counts(client, urls):
    found = {}
    for name, url in urls.items():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        found[name] = len(queries)
    return found


def test_query_counts_are_fixed_and_pinned(client):
    small = counts(client, build(1))
    Poll.objects.all().delete()
    large = counts(client, build(4))
    assert small == EXPECTED
    assert large == EXPECTED
