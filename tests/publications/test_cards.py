"""Rendered cards are shared between pages and follow editors' changes at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dialogue_portal.core.pagecache import content_version
from publications.services import rate_publication
from tests.desk.helpers import post_form
from tests.factories import make_person, make_publication, make_topic

pytestmark = pytest.mark.django_db


def authorship_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in queries if 'FROM "publications_authorship"' in q["sql"]]


def test_a_card_rendered_on_one_page_is_reused_on_another(client):
    topic = make_topic(slug="arms-control")
    author = make_person(given_name="Andrey", family_name="Kortunov")
    publication = make_publication(title="Strategic Stability", topics=[topic], authors=[author])
    listed = client.get("/publications/").content.decode()
    assert "Strategic Stability" in listed and "Andrey Kortunov" in listed
    # The topic page shows the same card: its authors are not fetched again.
    assert authorship_queries(client, topic.get_absolute_url()) == []
    on_topic = client.get(topic.get_absolute_url()).content.decode()
    assert f'href="{publication.get_absolute_url()}"' in on_topic
    assert "Andrey Kortunov" in on_topic


def test_each_language_has_its_own_card(client):
    publication = make_publication(title="Strategic Stability", kind="report")
    path = publication.get_absolute_url()
    english = client.get("/publications/").content.decode()
    russian = client.get("/ru/publications/").content.decode()
    assert f'href="{path}"' in english and f'href="/ru{path}"' not in english
    assert f'href="/ru{path}"' in russian
    assert "Доклад" in russian and "Доклад" not in english


def test_an_edit_in_the_admin_shows_at_once_on_cached_cards(client, editor_client):
    author = make_person(given_name="Ivan", family_name="Timofeev", slug="ivan-timofeev")
    make_publication(title="Strategic Stability", authors=[author])
    assert "Ivan Timofeev" in client.get("/publications/").content.decode()
    url = reverse("admin:people_person_change", args=[author.pk])
    form = editor_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        {
            "given_name": "Ivan N.",
            "family_name": "Timofeev",
            "slug": "ivan-timofeev",
            "affiliations-TOTAL_FORMS": "0",
            "affiliations-INITIAL_FORMS": "0",
            "affiliations-MIN_NUM_FORMS": "0",
            "affiliations-MAX_NUM_FORMS": "1000",
        }
    )
    data.pop("photo", None)
    response = post_form(editor_client, url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "Ivan N. Timofeev" in client.get("/publications/").content.decode()


def test_a_rating_leaves_cards_and_counts_cached(client, django_capture_on_commit_callbacks):
    from dialogue_portal.core.readers import Reader

    publication = make_publication(title="Strategic Stability")
    client.get("/publications/")
    before = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        rate_publication(publication=publication, reader=Reader(key="anon:" + "a" * 32), stars=5)
    assert content_version() == before
    assert authorship_queries(client, "/publications/") == []
