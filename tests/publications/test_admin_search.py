"""The admin's search boxes search as the site does: words in any order, other forms and
cases, in a fixed number of queries; a slug or DOI typed whole is found too."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_person, make_publication

pytestmark = pytest.mark.django_db

PUBLICATIONS = "/admin/publications/publication/"
PEOPLE = "/admin/people/person/"


def listed(client, url, text):
    response = client.get(url, {"q": text})
    assert response.status_code == 200
    return response.content.decode()


def test_publications_are_found_by_words_in_any_order(admin_client):
    make_publication(title="Arms control after New START", slug="arms-control")
    make_publication(title="Controlling the Arctic", slug="arctic", doi="10.1234/arc-1")
    html = listed(admin_client, PUBLICATIONS, "control arms")
    assert "Arms control after New START" in html and "Controlling the Arctic" not in html
    html = listed(admin_client, PUBLICATIONS, "ARCTIC controls")
    assert "Controlling the Arctic" in html and "Arms control after New START" not in html
    assert "Controlling the Arctic" in listed(admin_client, PUBLICATIONS, "arctic")
    # Typed whole: a slug, a DOI (as a link too).
    assert "Arms control after New START" in listed(admin_client, PUBLICATIONS, "arms-control")
    for doi in ("10.1234/arc-1", "https://doi.org/10.1234/arc-1"):
        assert "Controlling the Arctic" in listed(admin_client, PUBLICATIONS, doi), doi


@pytest.mark.parametrize("text", ['"', "NEAR(", "AND", "*", "-", "\x00", "x" * 5000])
def test_odd_input_in_the_admin_search_is_no_error(admin_client, text):
    make_publication(title="Arms control after New START")
    assert admin_client.get(PUBLICATIONS, {"q": text}).status_code == 200
    assert admin_client.get(PEOPLE, {"q": text}).status_code == 200


def test_the_change_list_search_takes_the_same_queries_however_many_match(admin_client):
    def queries(text):
        with CaptureQueriesContext(connection) as captured:
            assert "Arms" in listed(admin_client, PUBLICATIONS, text)
        return len(captured)

    make_publication(title="Arms control one", authors=[make_person()])
    one = queries("control arms")
    for n in range(12):
        make_publication(title=f"Arms control {n}", authors=[make_person(), make_person()])
    assert queries("control arms") == one
    assert queries("arms") == one
    # (two of them: the second factor that verified the session and the session fence)
    assert one <= 14


def test_people_are_found_by_words_in_any_order_and_either_case(admin_client):
    make_person(
        given_name="Andrey",
        family_name="Kortunov",
        given_name_ru="Андрей",
        family_name_ru="Кортунов",
        position="Director General",
    )
    make_person(given_name="Maria", family_name="Smekalova", position="Coordinator")
    for text in ("kortunov andrey", "КОРТУНОВ", "андрей кортунов", "general director"):
        html = listed(admin_client, PEOPLE, text)
        assert "Kortunov" in html and "Smekalova" not in html, text
    assert "Kortunov" not in listed(admin_client, PEOPLE, "kortunov maria")


def test_the_authors_autocomplete_finds_a_name_as_it_is_typed(admin_client):
    make_person(given_name="Andrey", family_name="Kortunov", family_name_ru="Кортунов")
    for term in ("Kortu", "корт"):
        response = admin_client.get(
            "/admin/autocomplete/",
            {
                "app_label": "publications",
                "model_name": "authorship",
                "field_name": "person",
                "term": term,
            },
        )
        assert "Kortunov" in response.content.decode(), term


def test_the_year_filter_lists_the_years_and_keeps_to_one(admin_client):
    make_publication(title="Old report", published_at=datetime(2019, 6, 1, tzinfo=UTC))
    make_publication(title="New report", published_at=datetime(2026, 3, 1, tzinfo=UTC))
    html = admin_client.get(PUBLICATIONS).content.decode()
    for year in range(2019, 2027):
        assert f"?year={year}" in html, year
    html = admin_client.get(PUBLICATIONS, {"year": "2019"}).content.decode()
    assert "Old report" in html and "New report" not in html


@pytest.mark.parametrize("year", ["abc", "99999999", "-5", "0"])
def test_a_year_that_is_no_year_finds_nothing_and_is_no_error(admin_client, year):
    make_publication(title="Old report", published_at=datetime(2019, 6, 1, tzinfo=UTC))
    response = admin_client.get(PUBLICATIONS, {"year": year})
    assert response.status_code == 200
    assert "Old report" not in response.content.decode()


def test_the_change_list_takes_the_same_queries_however_many_rows(admin_client):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(PUBLICATIONS).status_code == 200
        return len(captured)

    make_publication(title="Arms control one", authors=[make_person()])
    one = queries()
    for n in range(60):  # more than a page
        make_publication(title=f"Arms control {n}", authors=[make_person()])
    assert queries() == one
    assert one <= 12
