"""A person exists for readers only once they have published work.

An editor may add a person before their first publication is out (or with only a draft).
Readers then find no page, API entry or feed for them, and no mention in the index, the
sitemap, search or the API list; editors still preview the page.
"""

import pytest
from django.urls import reverse

from publications.models import Publication
from tests.factories import make_person, make_publication

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    unpublished = make_person(slug="upcoming", given_name="Upcoming", family_name="Author")
    drafted = make_person(slug="drafted", given_name="Drafted", family_name="Author")
    published = make_person(slug="published", given_name="Published", family_name="Author")
    make_publication(authors=[drafted], status=Publication.Status.DRAFT, published_at=None)
    make_publication(authors=[published], title="Out now")
    return {"unpublished": unpublished, "drafted": drafted, "published": published}


def addresses(person):
    return {
        "page": person.get_absolute_url(),
        "russian page": "/ru" + person.get_absolute_url(),
        "api": reverse("api:person-detail", kwargs={"slug": person.slug}),
        "feed": reverse("publications:feed-person", args=[person.slug]),
    }


@pytest.mark.parametrize("who", ["unpublished", "drafted"])
@pytest.mark.parametrize("what", ["page", "russian page", "api", "feed"])
def test_a_person_without_published_work_is_a_404_for_readers(client, settings, people, who, what):
    settings.DEBUG = False
    response = client.get(addresses(people[who])[what])
    assert response.status_code == 404
    assert "Upcoming" not in response.content.decode()
    assert "Drafted" not in response.content.decode()


@pytest.mark.parametrize("what", ["page", "russian page", "api", "feed"])
def test_a_person_with_published_work_is_there(client, people, what):
    assert client.get(addresses(people["published"])[what]).status_code == 200


@pytest.mark.parametrize("who", ["unpublished", "drafted"])
def test_editors_still_preview_the_page(client, editor, people, who):
    client.force_login(editor)
    response = client.get(people[who].get_absolute_url())
    assert response.status_code == 200
    assert people[who].given_name in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/people/", "/sitemap-people.xml", "/search/?q=Author", "/api/people/", "/ru/people/"]
)
def test_they_are_listed_nowhere(client, people, path):
    text = client.get(path).content.decode()
    assert "Published" in text or "/people/published/" in text
    assert "Upcoming" not in text and "/people/upcoming/" not in text
    assert "Drafted" not in text and "/people/drafted/" not in text
