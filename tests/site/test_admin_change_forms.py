"""The admin's change forms take the same queries however many rows their inlines have
(authors, affiliations, answers) and however many tags they carry, and still show each
row's chosen person or institution by name."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Affiliation
from tests.desk.helpers import post_form
from tests.factories import (
    make_attachment,
    make_institution,
    make_person,
    make_poll,
    make_publication,
    make_region,
    make_topic,
)

pytestmark = pytest.mark.django_db

PUBLICATIONS = "/admin/publications/publication/"


def opened(client, url):
    """The page's HTML and the queries it took, opened a second time (the first fills the
    per-process caches a running site keeps warm)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def chosen(obj):
    return f'<option value="{obj.pk}" selected>{obj}</option>'


def publication_with(n):
    institution = make_institution(name=f"Institute of {n}")
    authors = [make_person(family_name=f"Author{n}x{i}") for i in range(n)]
    publication = make_publication(
        title=f"Report with {n}",
        authors=authors,
        topics=[make_topic() for _ in range(n)],
        regions=[make_region() for _ in range(n)],
    )
    publication.authorships.update(institution=institution)
    for _ in range(n):
        make_attachment(publication)
    return publication, authors, institution


def test_a_publication_with_eight_authors_opens_in_the_queries_of_one_with_one(admin_client):
    one, _authors, _institution = publication_with(1)
    eight, authors, institution = publication_with(8)
    make_publication(title="The Russian version", language="ru", translation_of=eight)
    _html, queries = opened(admin_client, f"{PUBLICATIONS}{one.pk}/change/")
    html, queries_eight = opened(admin_client, f"{PUBLICATIONS}{eight.pk}/change/")
    assert queries_eight == queries == 21
    for person in authors:
        assert chosen(person) in html, person
    assert html.count(chosen(institution)) == 8


@pytest.mark.slow
def test_a_person_with_eight_affiliations_opens_in_the_queries_of_one_with_one(admin_client):
    def person_with(n):
        person = make_person()
        institutions = [make_institution() for _ in range(n)]
        for institution in institutions:
            Affiliation.objects.create(person=person, institution=institution, role="Fellow")
        return person, institutions

    one, _institutions = person_with(1)
    eight, institutions = person_with(8)
    _html, queries = opened(admin_client, f"/admin/people/person/{one.pk}/change/")
    html, queries_eight = opened(admin_client, f"/admin/people/person/{eight.pk}/change/")
    assert queries_eight == queries == 9
    for institution in institutions:
        assert chosen(institution) in html, institution


def test_a_poll_with_eight_answers_and_publications_opens_in_the_queries_of_one(admin_client):
    def poll_with(n):
        poll = make_poll(answers=[f"Answer {i}" for i in range(n + 1)])
        poll.publications.set([make_publication() for _ in range(n)])
        return poll

    one, eight = poll_with(1), poll_with(8)
    _html, queries = opened(admin_client, f"/admin/polls/poll/{one.pk}/change/")
    html, queries_eight = opened(admin_client, f"/admin/polls/poll/{eight.pk}/change/")
    assert queries_eight == queries == 13
    for publication in eight.publications.all():
        assert chosen(publication) in html, publication


def test_a_form_sent_back_with_errors_shows_the_author_the_editor_chose(admin_client):
    publication, (author,), _institution = publication_with(1)
    other = make_person(family_name="Newcomer")
    authorship = publication.authorships.get()
    url = f"{PUBLICATIONS}{publication.pk}/change/"
    data = {
        "kind": publication.kind,
        "title": "",  # required: the form comes back with an error
        "slug": publication.slug,
        "status": publication.status,
        "language": publication.language,
        "authorships-TOTAL_FORMS": "1",
        "authorships-INITIAL_FORMS": "1",
        "authorships-0-id": str(authorship.pk),
        "authorships-0-publication": str(publication.pk),
        "authorships-0-person": str(other.pk),
        "authorships-0-order": "1",
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "1",
        "attachments-0-id": str(publication.attachments.get().pk),
        "attachments-0-publication": str(publication.pk),
        "attachments-0-title": "Full report",
        "attachments-0-language": "en",
        "attachments-0-order": "0",
    }
    response = post_form(admin_client, url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "errornote" in html
    assert chosen(other) in html and chosen(author) not in html
